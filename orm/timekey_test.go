package orm_test

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/crucible-orm/crucible/orm"
)

// Keys of time: a timestamptz primary key with its foreign key, and a date
// key referenced through a *time.Time. One instant (one day) is one key
// however the program made it: from time.Now() with its nanoseconds and
// monotonic reading, in any zone, or as read back at microsecond
// precision.

type TSeries struct {
	At     time.Time `orm:"pk"`
	Name   string
	Points []*TPoint `rel:"one_to_many,back_populates:Series,cascade:all|delete-orphan"`
}

func (TSeries) TableName() string { return "t_series" }

type TPoint struct {
	ID       int64     `orm:"pk"`
	SeriesAt time.Time `orm:"fk:t_series.at"`
	Series   *TSeries  `rel:"many_to_one,back_populates:Points"`
	V        int
}

type TDay struct {
	Day   time.Time `orm:"pk,type:date"`
	Notes []*TNote  `rel:"one_to_many,back_populates:Day"`
}

type TNote struct {
	ID    int64      `orm:"pk"`
	DayID *time.Time `orm:"type:date,fk:t_days.day"`
	Day   *TDay      `rel:"many_to_one,back_populates:Notes"`
	Body  string
}

// TShift is keyed by a pgtype.Timestamptz, which a *time.Time refers to.
type TShift struct {
	Start pgtype.Timestamptz `orm:"pk"`
	Slots []*TSlot           `rel:"one_to_many,back_populates:Shift"`
}

type TSlot struct {
	ID      int64      `orm:"pk"`
	ShiftAt *time.Time `orm:"fk:t_shifts.start"`
	Shift   *TShift    `rel:"many_to_one,back_populates:Slots"`
}

func TestPgtypeTimeKeys(t *testing.T) {
	e := setup(t, orm.MustRegistry(&TShift{}, &TSlot{}))
	now := time.Now()
	s := e.db.Session()
	defer s.Close()
	sh := &TShift{Start: pgtype.Timestamptz{Time: now, Valid: true}, Slots: []*TSlot{{}, {}}}
	s.Add(sh)
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.rows(`SELECT count(*) FROM t_slots WHERE shift_at = $1`, now); got[0][0] != int64(2) {
		t.Fatalf("slots of the shift: %v", got)
	}
	o := e.db.Session()
	defer o.Close()
	slots, err := orm.Query[TSlot](o).Load("Shift").All(e.ctx)
	if err != nil || len(slots) != 2 || slots[0].Shift == nil || slots[0].Shift != slots[1].Shift {
		t.Fatalf("slots not stitched to one shift: %v", err)
	}
	got, err := orm.Get[TShift](e.ctx, o, pgtype.Timestamptz{Time: now.UTC(), Valid: true})
	if err != nil || got != slots[0].Shift {
		t.Fatalf("Get by the instant in UTC: %v, same %v", err, got == slots[0].Shift)
	}
}

func TestTimeKeys(t *testing.T) {
	e := setup(t, orm.MustRegistry(&TSeries{}, &TPoint{}, &TDay{}, &TNote{}))
	now := time.Now() // nanoseconds, a monotonic reading, the local zone
	stored := now.Truncate(time.Microsecond)
	elsewhere := time.FixedZone("elsewhere", -7*3600)
	day := time.Date(2024, 3, 1, 23, 30, 0, 123, time.FixedZone("east", 5*3600))

	s := e.db.Session()
	defer s.Close()
	series := &TSeries{At: now, Name: "cpu", Points: []*TPoint{{V: 1}, {V: 2}}}
	d := &TDay{Day: day, Notes: []*TNote{{Body: "n"}}}
	s.Add(series, d)
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.rows(`SELECT count(*) FROM t_points p JOIN t_series s ON s.at = p.series_at WHERE s.at = $1`, stored); got[0][0] != int64(2) {
		t.Fatalf("points joined to their series: %v", got)
	}
	if got := e.rows(`SELECT day::text FROM t_notes n JOIN t_days d ON d.day = n.day_id`); len(got) != 1 || got[0][0] != "2024-03-01" {
		t.Fatalf("note's day: %v", got)
	}
	e.cap.reset()
	if err := s.Commit(e.ctx); err != nil || len(e.cap.sqls()) != 0 {
		t.Fatalf("an unchanged commit sent %q (%v)", e.cap.sqls(), err)
	}

	for _, tc := range []struct {
		name string
		at   time.Time
	}{
		{"the same value", now},
		{"without the monotonic reading", now.Round(0)},
		{"as stored, microseconds", stored},
		{"in another zone", stored.In(elsewhere)},
		{"in UTC", now.UTC()},
	} {
		t.Run("held by "+tc.name, func(t *testing.T) {
			e.cap.reset()
			got, err := orm.Get[TSeries](e.ctx, s, tc.at)
			if err != nil || got != series || len(e.cap.sqls()) != 0 {
				t.Fatalf("Get: %v, same object %v, sent %q", err, got == series, e.cap.sqls())
			}
		})
	}
	t.Run("held date in another zone", func(t *testing.T) {
		got, err := orm.Get[TDay](e.ctx, s, time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC))
		if err != nil || got != d {
			t.Fatalf("Get day: %v, same object %v", err, got == d)
		}
	})

	t.Run("a new session", func(t *testing.T) {
		o := e.db.Session()
		defer o.Close()
		pts, err := orm.Query[TPoint](o).Load("Series").OrderBy("v").All(e.ctx)
		if err != nil || len(pts) != 2 || pts[0].Series == nil || pts[0].Series != pts[1].Series {
			t.Fatalf("points not stitched to one series: %v", err)
		}
		got, err := orm.Get[TSeries](e.ctx, o, now)
		if err != nil || got != pts[0].Series {
			t.Fatalf("Get by time.Now's value: %v, same object %v", err, got == pts[0].Series)
		}
		if err := o.LoadRelated(e.ctx, got, "Points"); err != nil || len(got.Points) != 2 {
			t.Fatalf("series points: %v", err)
		}
		o.Add(&TPoint{V: 3, SeriesAt: now.In(elsewhere)}) // by its key alone
		got.Points = append(got.Points[1:], &TPoint{V: 4})
		if err := o.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		if rows := e.rows(`SELECT v FROM t_points WHERE series_at = $1 ORDER BY v`, stored); len(rows) != 3 || rows[0][0] != int64(2) {
			t.Fatalf("points after the change: %v", rows)
		}
		e.cap.reset()
		if err := o.Commit(e.ctx); err != nil || len(e.cap.sqls()) != 0 {
			t.Fatalf("an unchanged commit sent %q (%v)", e.cap.sqls(), err)
		}
		notes, err := orm.Query[TNote](o).Load("Day").All(e.ctx)
		if err != nil || len(notes) != 1 || notes[0].Day == nil {
			t.Fatalf("note's day not loaded: %v", err)
		}
		held, err := orm.Get[TDay](e.ctx, o, day)
		if err != nil || held != notes[0].Day {
			t.Fatalf("Get day by the zoned value: %v, same object %v", err, held == notes[0].Day)
		}
	})
}
