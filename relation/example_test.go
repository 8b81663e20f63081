package relation_test

import (
	"fmt"

	"github.com/crucible-orm/crucible/relation"
	"github.com/crucible-orm/crucible/schema"
)

// Writer, Novel and Genre are the models of the example.
type (
	Writer struct {
		ID     int64    `orm:"pk"`
		Novels []*Novel `rel:"one_to_many,back_populates:Writer,cascade:all|delete-orphan"`
		Genres []*Genre `rel:"many_to_many,secondary:writer_genres"`
	}
	Novel struct {
		ID       int64   `orm:"pk"`
		WriterID int64   `orm:"fk:writers.id"`
		Writer   *Writer `rel:"many_to_one,back_populates:Novels"`
	}
	Genre struct {
		ID int64 `orm:"pk"`
	}
)

// Resolve the relationships of mapped models: which table holds the
// foreign key, the join columns, the partner, the cascade, and the
// association table a many_to_many implies.
func ExampleResolve() {
	tables, _, err := schema.NewMapper().MapAll(&Writer{}, &Novel{}, &Genre{})
	if err != nil {
		fmt.Println(err)
		return
	}
	rels, extra, err := relation.Resolve(tables)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range rels.All() {
		fmt.Printf("%s.%s %s, foreign key on the %s: %s; cascade %s", r.Table.Name, r.Name, r.Kind, r.Side, join(r), r.Cascade)
		if r.Back != nil {
			fmt.Printf("; back %s", r.Back.Name)
		}
		fmt.Println()
	}
	for _, t := range extra {
		fmt.Println("association table", t.Name, t.PrimaryKey.Columns)
	}
	// Output:
	// writers.Novels one_to_many, foreign key on the target: writers.id = novels.writer_id; cascade all|delete-orphan; back Writer
	// writers.Genres many_to_many, foreign key on the secondary: writers.id = writer_genres.writer_id, writer_genres.genre_id = genres.id; cascade save-update|merge
	// novels.Writer many_to_one, foreign key on the owner: novels.writer_id = writers.id; cascade save-update|merge; back Novels
	// association table writer_genres [writer_id genre_id]
}

// join spells a relationship's join condition (single-column keys).
func join(r *relation.Relation) string {
	if r.Secondary == nil {
		return fmt.Sprintf("%s.%s = %s.%s", r.Table.Name, r.LocalColumns[0].Name, r.Target.Name, r.RemoteColumns[0].Name)
	}
	return fmt.Sprintf("%s.%s = %s.%s, %s.%s = %s.%s",
		r.Table.Name, r.LocalColumns[0].Name, r.Secondary.Name, r.SecondaryLocal[0].Name,
		r.Secondary.Name, r.SecondaryRemote[0].Name, r.Target.Name, r.RemoteColumns[0].Name)
}
