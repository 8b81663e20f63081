package relation

import (
	"fmt"
	"strings"
)

// option is one key:value element of a tag.
type option struct{ key, value string }

// splitTag splits "kind,key:value,…" into the first element and the
// options. TODO(relation): use schema.ParseTag once it lands.
func splitTag(tag string) (string, []option, error) {
	parts := strings.Split(tag, ",")
	name := strings.TrimSpace(parts[0])
	var opts []option
	for _, p := range parts[1:] {
		p = strings.TrimSpace(p)
		if p == "" {
			return "", nil, fmt.Errorf("empty option: %w", ErrBadValue)
		}
		k, v, _ := strings.Cut(p, ":")
		opts = append(opts, option{strings.TrimSpace(k), strings.TrimSpace(v)})
	}
	return name, opts, nil
}
