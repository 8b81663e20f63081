package blogtest_test

import (
	"fmt"

	"github.com/crucible-orm/crucible/internal/blogtest"
	"github.com/crucible-orm/crucible/schema"
)

// The models map to the blog's tables (post_tags, the association table,
// comes from the relationships, which relation resolves).
func Example() {
	tables, enums, err := schema.NewMapper().MapAll(blogtest.Models()...)
	if err != nil {
		panic(err)
	}
	for _, t := range tables {
		fmt.Print(t.Name, " ")
	}
	fmt.Println(enums[0].Name)
	// Output: users profiles posts comments tags gender
}
