package relation

import (
	"fmt"
	"strings"

	"github.com/crucible-orm/crucible/schema"
)

// Path resolves a dotted loading path such as "Posts.Comments" from table
// t: the relationship named by each segment on the previous one's target.
// A segment that names no relationship is an error wrapping
// [ErrNoRelation] that names the model and the segment; the ORM uses Path
// to check Load and LoadRelated arguments.
func (s *Set) Path(t *schema.Table, path string) ([]*Relation, error) {
	if path == "" {
		return nil, fmt.Errorf("empty path: %w", ErrNoRelation)
	}
	segs := strings.Split(path, ".")
	out := make([]*Relation, 0, len(segs))
	cur := t
	for _, seg := range segs {
		rel := s.Field(cur, seg)
		if rel == nil {
			return nil, fmt.Errorf("path %q: %s has no relationship %q: %w", path, typeName(cur), seg, ErrNoRelation)
		}
		out = append(out, rel)
		cur = rel.Target
	}
	return out, nil
}
