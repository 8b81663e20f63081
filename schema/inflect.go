package schema

import (
	"strings"
	"unicode"
)

// Names of tables, columns and enum types from Go names. The rules are
// fixed: nothing in the process can change them, since a changed rule
// renames tables that already hold data. A model names its own table with
// a TableName() method, a field its column with the first element of its
// tag.

// ColumnName returns the column name of a Go field: its [Snake] case
// ("CreatedAt" -> "created_at", "UserID" -> "user_id", "OAuthToken" ->
// "oauth_token").
func ColumnName(field string) string { return Snake(field) }

// TableName returns the table name of a Go type name: its [Snake] case with
// the last word made [Plural] ("User" -> "users", "Person" -> "people",
// "Analysis" -> "analyses", "OAuthToken" -> "oauth_tokens", "IPv6Address"
// -> "ipv6_addresses").
func TableName(typeName string) string { return Plural(Snake(typeName)) }

// Snake returns the snake_case of a Go identifier: its words in lower case
// joined by '_'. A word is
//
//   - a capital followed by lower-case letters ("Created", "At");
//   - a run of capitals, an initialism, that ends before a capital followed
//     by a lower-case letter ("HTTPServer" -> "http", "server"), or with a
//     lone "s" as its plural ("UserIDs" -> "user", "ids");
//   - one of these names spelt with capitals inside, whole: OAuth, IPv4,
//     IPv6, GraphQL, PostgreSQL, MySQL, NoSQL, SQLite, GitHub, GitLab,
//     JavaScript, TypeScript, YouTube, WiFi, gRPC, iOS, macOS, iPhone,
//     iPad, eBay ("OAuthToken" -> "oauth", "token"; not where a lower-case
//     letter follows: "OAuthor" -> "o", "author");
//   - in each case with the digits, lower-case letters and other
//     characters that follow, up to the next capital or '_' ("Sha256" ->
//     "sha256", "OAuth2Client" -> "oauth2", "client").
//
// Underscores separate words and are not doubled.
func Snake(s string) string {
	r := []rune(s)
	var b strings.Builder
	b.Grow(len(s) + 4)
	for i := 0; i < len(r); {
		if r[i] == '_' {
			i++
			continue
		}
		end := wordEnd(r, i)
		if b.Len() > 0 {
			b.WriteByte('_')
		}
		b.WriteString(strings.ToLower(string(r[i:end])))
		i = end
	}
	return b.String()
}

// mixedCase lists names spelt with capitals inside one word: each is one
// word of [Snake], matched case-sensitively at the start of a word and
// only where the next letter is not lower-case. Snake's doc lists them.
var mixedCase = [...]string{
	"OAuth", "IPv4", "IPv6", "GraphQL", "PostgreSQL", "MySQL", "NoSQL", "SQLite",
	"GitHub", "GitLab", "JavaScript", "TypeScript", "YouTube", "WiFi", "gRPC",
	"iOS", "macOS", "iPhone", "iPad", "eBay",
}

// wordEnd returns the end of the word of s that starts at i (see [Snake]).
func wordEnd(s []rune, i int) int {
	j := i + mixedCaseAt(s, i)
	if j == i {
		for j < len(s) && isUpper(s[j]) && (j == i || mixedCaseAt(s, j) == 0) {
			j++
		}
		if run := j - i; run > 1 && j < len(s) && unicode.IsLower(s[j]) {
			if s[j] == 's' && (j+1 == len(s) || !unicode.IsLower(s[j+1])) {
				return j + 1 // "IDs"
			}
			return j - 1 // "HTTPServer": the last capital starts "Server"
		}
	}
	for j < len(s) && s[j] != '_' && !isUpper(s[j]) {
		j++ // lower-case letters, digits, and anything else but '_'
	}
	return j
}

// isUpper reports a capital that has a lower-case form (only those start
// words, so Snake's output starts none).
func isUpper(r rune) bool { return unicode.IsUpper(r) && unicode.ToLower(r) != r }

// mixedCaseAt returns the length of the [mixedCase] name at s[i:], or 0.
func mixedCaseAt(s []rune, i int) int {
	for _, name := range mixedCase {
		n := len(name) // ASCII
		if i+n <= len(s) && s[i] == rune(name[0]) && string(s[i:i+n]) == name && (i+n == len(s) || !unicode.IsLower(s[i+n])) {
			return n
		}
	}
	return 0
}

// Plural returns the English plural of a lower-case snake_case name: its
// last word is made plural, the rest is kept ("post_tag" -> "post_tags",
// "sales_person" -> "sales_people"). In order:
//
//   - uncountable words stay as they are ("equipment", "news", "sheep",
//     "series"), and so do the irregular plurals ("people", "data");
//   - irregular words take their plural ("quiz" -> "quizzes", "datum" ->
//     "data", "matrix" -> "matrices", "hero" -> "heroes", "cactus" ->
//     "cacti");
//   - an irregular ending is replaced, also at the end of a longer word
//     ("person", "child", "man", "mouse", "knife", "leaf"…: "salesperson"
//     -> "salespeople", "bookshelf" -> "bookshelves");
//   - the regular endings: "-sis" becomes "-ses" ("analysis" ->
//     "analyses"); "-ss", "-us", "-is", "-as" and "-os" take "-es"
//     ("address" -> "addresses", "status" -> "statuses"); any other word
//     in "-s" is taken as a plural already and kept ("settings",
//     "details", "preferences"); "-x", "-z", "-ch" and "-sh" take "-es"
//     ("box" -> "boxes", "index" -> "indexes", as PostgreSQL's manual has
//     it); "-y" after a consonant becomes "-ies" ("category" ->
//     "categories");
//   - any other word takes "-s" ("photo" -> "photos").
func Plural(s string) string {
	cut := strings.LastIndexByte(s, '_') + 1
	return s[:cut] + pluralWord(s[cut:])
}

// pluralWord returns the plural of one lower-case word.
func pluralWord(w string) string {
	if w == "" || uncountable[w] || irregularPlurals[w] {
		return w
	}
	if p, ok := irregular[w]; ok {
		return p
	}
	for _, r := range pluralSuffixes {
		if strings.HasSuffix(w, r.singular) {
			return w[:len(w)-len(r.singular)] + r.plural
		}
	}
	return w + "s"
}

// uncountable words have no plural of their own.
var uncountable = setOf(
	"advice", "aircraft", "audio", "baggage", "bison", "cattle", "chassis", "clothing",
	"corps", "deer", "equipment", "evidence", "feedback", "firmware", "fish", "furniture",
	"hardware", "headquarters", "homework", "information", "jeans", "knowledge",
	"livestock", "luggage", "means", "metadata", "middleware", "money", "moose",
	"music", "news", "offspring", "personnel", "police", "poultry", "progress",
	"research", "rice", "salmon", "scissors", "series", "sheep", "software",
	"spacecraft", "species", "staff", "swine", "traffic", "trout", "weather",
	"wildlife",
)

// irregular maps whole words to plurals the suffix rules would get wrong.
var irregular = map[string]string{
	// Latin and Greek
	"addendum": "addenda", "alumnus": "alumni", "appendix": "appendices", "axis": "axes",
	"bacterium": "bacteria", "cactus": "cacti", "corpus": "corpora", "criterion": "criteria",
	"curriculum": "curricula", "datum": "data", "erratum": "errata", "fungus": "fungi",
	"genus": "genera", "matrix": "matrices", "medium": "media", "memorandum": "memoranda",
	"nucleus": "nuclei", "phenomenon": "phenomena", "radius": "radii", "stimulus": "stimuli",
	"stratum": "strata", "syllabus": "syllabi", "vertex": "vertices", "vortex": "vortices",
	// old English
	"die": "dice", "foot": "feet", "goose": "geese", "louse": "lice", "ox": "oxen", "tooth": "teeth",
	// -o taking -oes
	"cargo": "cargoes", "domino": "dominoes", "echo": "echoes", "embargo": "embargoes",
	"hero": "heroes", "mosquito": "mosquitoes", "potato": "potatoes", "tomato": "tomatoes",
	"torpedo": "torpedoes", "veto": "vetoes", "volcano": "volcanoes",
	// -ch sounding k, -z doubling, -ns
	"epoch": "epochs", "matriarch": "matriarchs", "monarch": "monarchs", "patriarch": "patriarchs",
	"stomach": "stomachs", "tech": "techs", "quiz": "quizzes", "lens": "lenses",
	// -man that is no man
	"caiman": "caimans", "doberman": "dobermans", "german": "germans", "human": "humans",
	"ottoman": "ottomans", "roman": "romans", "shaman": "shamans", "talisman": "talismans",
}

// irregularPlurals are the plurals of [irregular] and [pluralSuffixes]'s
// irregular endings, kept as they are.
var irregularPlurals = setOf(
	"addenda", "alumni", "appendices", "bacteria", "cacti", "children", "corpora", "criteria",
	"curricula", "data", "dice", "errata", "feet", "fungi", "geese", "genera", "lice",
	"matrices", "media", "memoranda", "men", "mice", "nuclei", "oxen", "people",
	"phenomena", "radii", "stimuli", "strata", "syllabi", "teeth", "vertices", "vortices",
	"women",
)

// pluralSuffixes are tried in order; the first that ends the word is
// replaced by its plural. Irregular endings come first, so compounds
// follow them ("salesperson", "grandchild", "penknife", "bookshelf").
var pluralSuffixes = [...]struct{ singular, plural string }{
	{"person", "people"}, {"child", "children"}, {"man", "men"}, {"mouse", "mice"},
	{"knife", "knives"}, {"wife", "wives"}, {"life", "lives"}, {"leaf", "leaves"},
	{"loaf", "loaves"}, {"thief", "thieves"}, {"half", "halves"}, {"calf", "calves"},
	{"elf", "elves"}, {"wolf", "wolves"}, {"sheaf", "sheaves"}, {"scarf", "scarves"},
	{"sis", "ses"}, {"ss", "sses"}, {"us", "uses"}, {"is", "ises"}, {"as", "ases"},
	{"os", "oses"}, {"s", "s"},
	{"x", "xes"}, {"z", "zes"}, {"ch", "ches"}, {"sh", "shes"},
	{"ay", "ays"}, {"ey", "eys"}, {"oy", "oys"}, {"uy", "uys"}, {"y", "ies"},
}

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}
