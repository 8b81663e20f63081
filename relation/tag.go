package relation

import (
	"fmt"
	"strings"

	"github.com/crucible-orm/crucible/schema"
)

// spec is a parsed `rel` tag, before any table is looked at.
type spec struct {
	kind          Kind
	backPopulates string
	foreignKey    []string // field or column names, "|"-separated in the tag
	secondary     string
	cascade       Cascade
	cascadeSet    bool
	lazy          Strategy
	orderBy       []orderSpec
}

type orderSpec struct {
	name string
	desc bool
}

// option parsers by key; each fills sp from a non-empty value.
var optionParsers = map[string]func(sp *spec, v string) error{
	"back_populates": func(sp *spec, v string) error { sp.backPopulates = v; return nil },
	"foreign_key":    func(sp *spec, v string) error { sp.foreignKey = splitList(v); return nil },
	"secondary":      func(sp *spec, v string) error { sp.secondary = v; return nil },
	"cascade":        parseCascadeOption,
	"lazy":           parseLazyOption,
	"order_by":       parseOrderOption,
}

// parseSpec parses a `rel` tag: a kind, then key:value options.
func parseSpec(tag string) (*spec, error) {
	opts, err := schema.ParseTag(tag)
	if err != nil {
		return nil, err
	}
	name := ""
	if len(opts) > 0 {
		name, opts = opts[0].String(), opts[1:]
	}
	kind, ok := parseKind(name)
	if !ok {
		return nil, fmt.Errorf("%q (want one_to_one, one_to_many, many_to_one or many_to_many first): %w", name, ErrUnknownKind)
	}
	sp := &spec{kind: kind}
	seen := map[string]bool{}
	for _, o := range opts {
		if err := sp.apply(o.Key, o.Value, seen); err != nil {
			return nil, err
		}
	}
	return sp, nil
}

func (sp *spec) apply(key, value string, seen map[string]bool) error {
	parse, ok := optionParsers[key]
	switch {
	case !ok:
		return fmt.Errorf("%q%s: %w", key, unknownHint(key), ErrUnknownOption)
	case seen[key]:
		return fmt.Errorf("%s given twice: %w", key, ErrBadValue)
	case value == "":
		return fmt.Errorf("%s needs a value (%s:…): %w", key, key, ErrBadValue)
	}
	seen[key] = true
	return parse(sp, value)
}

func parseCascadeOption(sp *spec, v string) error {
	c, err := ParseCascade(v)
	sp.cascade, sp.cascadeSet = c, true
	return err
}

func parseLazyOption(sp *spec, v string) error {
	s, ok := ParseStrategy(v)
	if !ok {
		return fmt.Errorf("lazy %q (want select, joined, selectin, raise or noload): %w", v, ErrBadValue)
	}
	sp.lazy = s
	return nil
}

// parseOrderOption reads `order_by:a|-b|c desc`: names joined with "|",
// a leading "-" or a trailing " desc" meaning descending.
func parseOrderOption(sp *spec, v string) error {
	for _, item := range splitList(v) {
		o, err := parseOrderItem(item)
		if err != nil {
			return err
		}
		sp.orderBy = append(sp.orderBy, o)
	}
	return nil
}

func parseOrderItem(item string) (orderSpec, error) {
	o := orderSpec{name: item}
	if rest, ok := strings.CutPrefix(item, "-"); ok {
		o = orderSpec{name: rest, desc: true}
	} else if f := strings.Fields(item); len(f) == 2 {
		o.name = f[0]
		switch strings.ToLower(f[1]) {
		case "desc":
			o.desc = true
		case "asc":
		default:
			return o, fmt.Errorf("order_by %q: %w", item, ErrBadValue)
		}
	}
	if o.name == "" || strings.ContainsAny(o.name, " \t") {
		return o, fmt.Errorf("order_by %q: %w", item, ErrBadValue)
	}
	return o, nil
}

// splitList splits a "|"-separated value, trimming spaces and dropping
// empty items.
func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, "|") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// unknownHint explains the usual cause of an unknown option: a cascade
// rule or sort key after a comma instead of a "|".
func unknownHint(key string) string {
	if _, ok := lookupCascade(key); ok {
		return " (join cascade rules with |, as in cascade:all|delete-orphan)"
	}
	return ""
}
