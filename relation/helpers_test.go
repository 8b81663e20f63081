package relation_test

import (
	"reflect"
	"testing"
)

// eq reports a mismatch between want and got, compared deeply.
func eq(t testing.TB, what string, want, got any) {
	t.Helper()
	if !reflect.DeepEqual(want, got) {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}
