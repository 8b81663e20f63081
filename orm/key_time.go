package orm

import (
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/crucible-orm/crucible/orm/internal/mem"
	"github.com/crucible-orm/crucible/schema"
)

// Time keys. A date or timestamp key column is read as PostgreSQL stores
// it, an integer, so that one row is one key however the program made the
// value: a time.Time from time.Now() has nanoseconds, a zone and a
// monotonic reading that the value read back does not. pgx sends a
// timestamptz as its instant, a timestamp as its wall clock and a date as
// its calendar day, each truncated to the microsecond; a precision
// modifier rounds it.

// timeForm converts between a time and its stored integer form.
type timeForm struct {
	to   func(time.Time) int64
	back func(int64) time.Time
}

// storedTime returns how a column of SQL type t stores a time (in
// microseconds, or days, since 2000-01-01, PostgreSQL's epoch), and false
// when t is no date or timestamp.
func storedTime(t schema.Type) (timeForm, bool) {
	sc, ok := t.(schema.Scalar)
	switch {
	case !ok:
		return timeForm{}, false
	case sc.Name == "date":
		return timeForm{
			to:   func(tm time.Time) int64 { return floorDiv(wallMicros(tm), microsPerDay) },
			back: func(n int64) time.Time { return time.UnixMicro(n*microsPerDay + y2k).UTC() },
		}, true
	case !strings.HasPrefix(sc.Name, "timestamp"):
		return timeForm{}, false
	}
	scale := int64(1)
	if i, j := strings.IndexByte(sc.Name, '('), strings.IndexByte(sc.Name, ')'); 0 < i && i < j {
		if p, err := strconv.Atoi(sc.Name[i+1 : j]); err == nil && p < 6 {
			scale = int64(math.Pow10(6 - p))
		}
	}
	if strings.Contains(sc.Name, "without") {
		return timeForm{
			to:   func(tm time.Time) int64 { return roundMicros(wallMicros(tm), scale) },
			back: func(n int64) time.Time { return time.UnixMicro(n + y2k).UTC() },
		}, true
	}
	return timeForm{
		to:   func(tm time.Time) int64 { return roundMicros(tm.UnixMicro()-y2k, scale) },
		back: func(n int64) time.Time { return time.UnixMicro(n + y2k) },
	}, true
}

// timePart is the key part of a time.Time field in form f.
func timePart(f timeForm) keyPart {
	return keyPart{kind: partTime, typ: timeType, zeroN: f.to(time.Time{}), back: f.back,
		get: func(p mem.Ptr) (int64, string, bool) {
			return f.to(mem.Load[time.Time](p)), "", true
		},
		set: func(p mem.Ptr, n int64, _ string) { mem.Store(p, f.back(n)) },
	}
}

// pgtypeTime reports whether t is one of pgtype's time wrappers
// (Timestamptz, Timestamp, Date): a Time, an InfinityModifier and Valid.
func pgtypeTime(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && t.NumField() == 3 && t.Field(0).Type == timeType &&
		t.Field(1).Type.Kind() == reflect.Int8 && t.Field(2).Name == "Valid" && t.Field(2).Type.Kind() == reflect.Bool
}

// pgtypeTimePart is the key part of a pgtype time wrapper in form f:
// NULL when not Valid, and infinity and -infinity as PostgreSQL stores
// them (the largest and smallest int64).
func pgtypeTimePart(t reflect.Type, f timeForm) keyPart {
	tm, inf, valid := t.Field(0).Offset, t.Field(1).Offset, t.Field(2).Offset
	kp := timePart(f)
	kp.typ = t
	kp.get = func(p mem.Ptr) (int64, string, bool) {
		switch m := mem.Load[int8](p.Add(inf)); {
		case !mem.Load[bool](p.Add(valid)):
			return 0, "", false
		case m > 0:
			return math.MaxInt64, "", true
		case m < 0:
			return math.MinInt64, "", true
		}
		return f.to(mem.Load[time.Time](p.Add(tm))), "", true
	}
	kp.set = func(p mem.Ptr, n int64, _ string) {
		var m int8
		switch n {
		case math.MaxInt64:
			m = 1
		case math.MinInt64:
			m = -1
		default:
			mem.Store(p.Add(tm), f.back(n))
		}
		mem.Store(p.Add(inf), m)
		mem.Store(p.Add(valid), true)
	}
	return kp
}

const (
	y2k          = 946684800 * 1e6 // PostgreSQL's epoch in Unix microseconds
	microsPerDay = 86400 * 1e6
)

// wallMicros is tm's wall clock, in its own zone, in microseconds since
// 2000-01-01.
func wallMicros(tm time.Time) int64 {
	y, mo, d := tm.Date()
	h, mi, sec := tm.Clock()
	return time.Date(y, mo, d, h, mi, sec, tm.Nanosecond(), time.UTC).UnixMicro() - y2k
}

// floorDiv divides rounding toward minus infinity: the day of a time
// before 2000 is the day it falls in.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// roundMicros rounds a time to a multiple of scale microseconds, half
// away from zero, as PostgreSQL applies a precision modifier.
func roundMicros(us, scale int64) int64 {
	if scale == 1 {
		return us
	}
	if us < 0 {
		return -((-us + scale/2) / scale * scale)
	}
	return (us + scale/2) / scale * scale
}
