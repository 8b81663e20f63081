package mem_test

import (
	"fmt"
	"reflect"

	"github.com/crucible-orm/crucible/orm/internal/mem"
)

type user struct {
	ID   int64
	Name string
}

// Reading and writing a field by the offset found once with reflect, and
// handing its address to code that takes an `any`.
func Example() {
	f, _ := reflect.TypeFor[user]().FieldByName("Name")
	strPtr := mem.TypeOf(reflect.TypeFor[*string]())

	u := &user{ID: 1, Name: "ann"}
	name := mem.Of(u).Add(f.Offset)
	fmt.Println(mem.Load[string](name))
	mem.Store(name, "bob")
	fmt.Println(u.Name)
	*mem.Any(strPtr, name).(*string) = "cy"
	fmt.Println(u.Name)
	// Output:
	// ann
	// bob
	// cy
}
