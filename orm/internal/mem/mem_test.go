package mem

import (
	"errors"
	"reflect"
	"runtime"
	"testing"
	"time"
)

type inner struct{ N int64 }

type Inner2 struct{ S string }

type row struct {
	A int32
	B string
	T time.Time
	P *int64
	L []*inner
	*inner
	*Inner2
}

func TestLoadStoreAdd(t *testing.T) {
	n := int64(7)
	r := &row{A: 1, B: "b", P: &n}
	p := Of(r)
	rt := reflect.TypeFor[row]()
	field := func(name string) Ptr {
		f, _ := rt.FieldByName(name)
		return p.Add(f.Offset)
	}
	if got := Load[int32](field("A")); got != 1 {
		t.Fatalf("Load A = %d", got)
	}
	Store[string](field("B"), "c")
	if r.B != "c" {
		t.Fatalf("Store B: %q", r.B)
	}
	if got := LoadPtr(field("P")); got != Of(&n) {
		t.Fatal("LoadPtr P is not &n")
	}
	StorePtr(field("P"), Ptr{})
	if r.P != nil || !LoadPtr(field("P")).IsNil() {
		t.Fatal("StorePtr nil left P set")
	}
	q := &row{}
	Copy[row](Of(q), p)
	if q.A != 1 || q.B != "c" {
		t.Fatalf("Copy: %+v", q)
	}
	if As[row](p) != r {
		t.Fatal("As does not return the same pointer")
	}
	if Size[row]() != rt.Size() {
		t.Fatalf("Size = %d, want %d", Size[row](), rt.Size())
	}
	if Of(r).Uintptr() == 0 || (Ptr{}).Uintptr() != 0 {
		t.Fatal("Uintptr")
	}
}

func TestSlices(t *testing.T) {
	a, b := &inner{1}, &inner{2}
	r := &row{L: []*inner{a, b}}
	f, _ := reflect.TypeFor[row]().FieldByName("L")
	p := Of(r).Add(f.Offset)
	got := LoadPtrs(p)
	if len(got) != 2 || got[0] != Of(a) || got[1] != Of(b) {
		t.Fatalf("LoadPtrs = %v", got)
	}
	StorePtrs(p, []Ptr{Of(b)})
	if len(r.L) != 1 || r.L[0] != b {
		t.Fatalf("StorePtrs: %v", r.L)
	}
	data, n := SliceLen(p)
	if n != 1 || data != Of(&r.L[0]) {
		t.Fatalf("SliceLen = %v, %d", data, n)
	}
	if data, n := SliceLen(Of(&[]int{})); data.IsNil() || n != 0 {
		t.Fatal("SliceLen of an empty slice")
	}
	var nilSlice []int
	if data, n := SliceLen(Of(&nilSlice)); !data.IsNil() || n != 0 {
		t.Fatal("SliceLen of a nil slice")
	}
	x := [4]byte{1, 2, 3, 4}
	if bs := Bytes(Of(&x), 4); string(bs) != "\x01\x02\x03\x04" {
		t.Fatalf("Bytes = %v", bs)
	}
}

func TestStrings(t *testing.T) {
	s := "hello"
	if got := String(StringData(s), len(s)); got != s {
		t.Fatalf("String(StringData) = %q", got)
	}
	if String(StringData(""), 0) != "" {
		t.Fatal("empty string")
	}
}

func TestInterfaces(t *testing.T) {
	n := int64(3)
	typ := TypeOf(reflect.TypeFor[*int64]())
	v := Any(typ, Of(&n))
	ip, ok := v.(*int64)
	if !ok || ip != &n {
		t.Fatalf("Any = %#v", v)
	}
	if Data(v) != Of(&n) {
		t.Fatal("Data does not return the pointer")
	}
	if !Data(nil).IsNil() {
		t.Fatal("Data(nil) is not nil")
	}
	if NewAt(reflect.TypeFor[int64](), Of(&n)).Interface().(*int64) != &n {
		t.Fatal("NewAt")
	}
	nv := reflect.ValueOf(&n)
	if Value(nv) != Of(&n) {
		t.Fatal("Value")
	}
	p := New(reflect.TypeFor[inner]())
	if As[inner](p).N != 0 {
		t.Fatal("New is not zero")
	}
	defer func() {
		if recover() == nil {
			t.Fatal("TypeOf of a non-pointer type did not panic")
		}
	}()
	TypeOf(reflect.TypeFor[int64]())
}

func TestField(t *testing.T) {
	rt := reflect.TypeFor[row]()
	n, _ := rt.FieldByName("N") // through the unexported *inner
	s, _ := rt.FieldByName("S") // through the exported *Inner2
	tests := []struct {
		name  string
		index []int
	}{
		{"unexported embedded pointer", n.Index},
		{"exported embedded pointer", s.Index},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &row{}
			if p := FieldOrNil(rt, Of(r), tc.index); !p.IsNil() {
				t.Fatal("read through a nil embedded pointer is not nil")
			}
			if r.inner != nil || r.Inner2 != nil {
				t.Fatal("read allocated")
			}
			p := Field(rt, Of(r), tc.index)
			if p.IsNil() {
				t.Fatal("write did not allocate")
			}
			if again := FieldOrNil(rt, Of(r), tc.index); again != p {
				t.Fatal("second read gives another address")
			}
		})
	}
	r := &row{}
	Store[int64](Field(rt, Of(r), n.Index), 9)
	Store[string](Field(rt, Of(r), s.Index), "s")
	if r.inner.N != 9 || r.Inner2.S != "s" {
		t.Fatalf("stores through Field: %+v %+v", r.inner, r.Inner2)
	}
	a, _ := rt.FieldByName("A")
	if FieldOrNil(rt, Of(r), a.Index) != Of(&r.A) {
		t.Fatal("Field of a direct field")
	}
}

type copied struct {
	A int32
	B string
	T time.Time
	P *int64
	L []*inner
	I any
	F func() int
	M map[string]int
	C [3]byte
	R [2]inner
	E error
	*inner
	Z bool
}

type small struct{ A, B int32 }

func TestCopier(t *testing.T) {
	n := int64(7)
	src := &copied{A: 1, B: "b", T: time.Now(), P: &n, L: []*inner{{N: 1}}, I: 3, F: func() int { return 4 },
		M: map[string]int{"m": 1}, C: [3]byte{1, 2, 3}, R: [2]inner{{N: 5}, {N: 6}}, E: errors.ErrUnsupported,
		inner: &inner{N: 9}, Z: true}
	c := NewCopier(reflect.TypeFor[copied]())
	stop := make(chan struct{})
	defer close(stop)
	go func() { // collections running while Copy writes pointers
		for {
			select {
			case <-stop:
				return
			default:
				runtime.GC()
			}
		}
	}()
	for range 1000 {
		dst := new(copied)
		c.Copy(Of(dst), Of(src))
		if dst.F() != 4 || dst.P != &n || !reflect.DeepEqual(dst.M, src.M) || dst.inner != src.inner || dst.E != src.E {
			t.Fatalf("copy differs: %+v", dst)
		}
		dst.F, src.F = nil, nil
		if !reflect.DeepEqual(dst, src) {
			t.Fatalf("copy differs:\n%+v\n%+v", dst, src)
		}
		src.F = func() int { return 4 }
	}
	s := small{A: 1, B: 2}
	var d small
	NewCopier(reflect.TypeFor[small]()).Copy(Of(&d), Of(&s))
	if d != s {
		t.Fatalf("small: %+v", d)
	}
}

// A type ending with plain words, which Copy must not address past.
type plainTail struct {
	P *int64
	A int64
}

func TestCopierPlainTail(t *testing.T) {
	n := int64(1)
	src := &plainTail{P: &n, A: 2}
	dst := new(plainTail)
	NewCopier(reflect.TypeFor[plainTail]()).Copy(Of(dst), Of(src))
	if *dst != *src {
		t.Fatalf("copy: %+v", dst)
	}
}

func TestWeak(t *testing.T) {
	r := &row{A: 1, L: make([]*inner, 2)}
	w, wl := MakeWeak(Of(r)), MakeWeak(Of(&r.L[0]))
	if !w.Is(Of(r)) || !w.Alive() || w.Is(Of(&row{})) || !wl.Is(Of(&r.L[0])) || wl.Is(Of(&r.L[1])) {
		t.Fatal("a weak reference does not match its live object")
	}
	if (Weak{}).Alive() || (Weak{}).Is(Of(r)) {
		t.Fatal("the zero Weak refers to something")
	}
	runtime.KeepAlive(r)
	r = nil
	for i := 0; i < 10 && w.Alive(); i++ {
		runtime.GC()
	}
	if w.Alive() || wl.Alive() {
		t.Fatal("a weak reference kept its object alive")
	}
}

func TestSliceArray(t *testing.T) {
	full := make([]*inner, 1, 4)
	for _, tc := range []struct {
		s    []*inner
		want Ptr
	}{
		{nil, Ptr{}},
		{[]*inner{}, Ptr{}},
		{make([]*inner, 0), Ptr{}},
		{full, Of(&full[0])},
		{full[:0], Of(&full[0])},
	} {
		if got := SliceArray(Of(&tc.s)); got != tc.want {
			t.Fatalf("SliceArray(len %d cap %d) = %v, want %v", len(tc.s), cap(tc.s), got, tc.want)
		}
	}
}
