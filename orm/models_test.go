package orm_test

import (
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/crucible-orm/crucible/orm"
)

type Author struct {
	ID        int64  `orm:"pk"`
	Name      string `orm:"unique"`
	Email     *string
	Bio       *string        `orm:"server_default:'none'"`
	CreatedAt time.Time      `orm:"server_default:now()"`
	Rank      int64          `orm:"default:7"`
	Tags      []string       `orm:"type:text[]"`
	Meta      map[string]any `orm:"type:jsonb"`
}

type Book struct {
	ID        int64  `orm:"pk"`
	AuthorID  int64  `orm:"fk:authors.id"`
	Title     string `orm:"check:title <> ''"`
	Pages     int32
	Version   int64     `orm:"version"`
	UpdatedAt time.Time `orm:"server_default:now(),onupdate:now()"`
}

type Node struct {
	ID       int64  `orm:"pk,identity:none"`
	ParentID *int64 `orm:"fk:nodes.id"`
	Name     string
}

func registry() *orm.Registry { return orm.MustRegistry(&Author{}, &Book{}, &Node{}) }

type Label struct {
	Code      string `orm:"pk"`
	Title     string
	CreatedAt time.Time `orm:"server_default:now()"`
}

type Event struct {
	ID   string `orm:"pk,type:uuid,server_default:gen_random_uuid()"`
	Name string
}

func batchRegistry() *orm.Registry {
	return orm.MustRegistry(&Author{}, &Book{}, &Node{}, &Label{}, &Event{})
}

// Stamp is embedded through a pointer: its fields are reached by walking
// the index path, not by offset.
type Stamp struct {
	ID        int64     `orm:"pk"`
	CreatedAt time.Time `orm:"server_default:now()"`
}

type Prefs struct {
	Theme string   `json:"theme"`
	Langs []string `json:"langs"`
}

type Profile struct {
	*Stamp
	Handle string
	Prefs  Prefs   `orm:"type:jsonb"`
	Scores []int64 `orm:"type:bigint[]"`
}

func profileRegistry() *orm.Registry { return orm.MustRegistry(&Profile{}) }

// Wide has a column of each common type, for round trips.
type Wide struct {
	ID   int64 `orm:"pk"`
	I32  int32 `orm:"i32"`
	I    int
	F    float64
	B    bool
	S    string
	T    time.Time
	PI   *int64
	PI32 *int32 `orm:"pi32"`
	PF   *float64
	PB   *bool
	PS   *string
	PT   *time.Time
	Raw  []byte
	Nums []int64        `orm:"type:bigint[]"`
	Doc  map[string]any `orm:"type:jsonb"`
	Txt  pgtype.Text    `orm:"type:text"`
	Dec  pgtype.Numeric `orm:"type:numeric"`
	Any  any            `orm:"type:jsonb"`
}

type Pair struct {
	A    string `orm:"pk"`
	B    int64  `orm:"pk,identity:none"`
	Note string
}

func wideRegistry() *orm.Registry { return orm.MustRegistry(&Wide{}, &Pair{}) }
