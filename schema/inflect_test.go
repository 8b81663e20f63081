package schema_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/crucible-orm/crucible/schema"
)

// TestNames: the table and column names of tricky Go names, as an English
// speaker writes them.
func TestNames(t *testing.T) {
	for _, tc := range []struct {
		name, table, column string
	}{
		// regular plurals
		{"User", "users", "user"},
		{"Category", "categories", "category"},
		{"Day", "days", "day"},
		{"Key", "keys", "key"},
		{"Address", "addresses", "address"},
		{"Bus", "buses", "bus"},
		{"Status", "statuses", "status"},
		{"Campus", "campuses", "campus"},
		{"Alias", "aliases", "alias"},
		{"Box", "boxes", "box"},
		{"Index", "indexes", "index"},
		{"Match", "matches", "match"},
		{"Wish", "wishes", "wish"},
		{"Buzz", "buzzes", "buzz"},
		{"Photo", "photos", "photo"},
		{"PostTag", "post_tags", "post_tag"},
		{"Schema", "schemas", "schema"},
		{"Chief", "chiefs", "chief"},
		{"Safe", "safes", "safe"},
		// irregular
		{"Person", "people", "person"},
		{"SalesPerson", "sales_people", "sales_person"},
		{"Salesperson", "salespeople", "salesperson"},
		{"Child", "children", "child"},
		{"GrandChild", "grand_children", "grand_child"},
		{"Man", "men", "man"},
		{"Woman", "women", "woman"},
		{"Chairman", "chairmen", "chairman"},
		{"Human", "humans", "human"},
		{"Mouse", "mice", "mouse"},
		{"House", "houses", "house"},
		{"Tooth", "teeth", "tooth"},
		{"Ox", "oxen", "ox"},
		{"Leaf", "leaves", "leaf"},
		{"Knife", "knives", "knife"},
		{"Wife", "wives", "wife"},
		{"Bookshelf", "bookshelves", "bookshelf"},
		{"Hero", "heroes", "hero"},
		{"Potato", "potatoes", "potato"},
		{"Quiz", "quizzes", "quiz"},
		{"Analysis", "analyses", "analysis"},
		{"Basis", "bases", "basis"},
		{"Crisis", "crises", "crisis"},
		{"Axis", "axes", "axis"},
		{"Matrix", "matrices", "matrix"},
		{"Vertex", "vertices", "vertex"},
		{"Datum", "data", "datum"},
		{"Medium", "media", "medium"},
		{"Criterion", "criteria", "criterion"},
		{"Cactus", "cacti", "cactus"},
		{"Epoch", "epochs", "epoch"},
		{"Lens", "lenses", "lens"},
		// uncountable, and names already plural
		{"Sheep", "sheep", "sheep"},
		{"Fish", "fish", "fish"},
		{"Series", "series", "series"},
		{"Species", "species", "species"},
		{"News", "news", "news"},
		{"Equipment", "equipment", "equipment"},
		{"Information", "information", "information"},
		{"Metadata", "metadata", "metadata"},
		{"Software", "software", "software"},
		{"Feedback", "feedback", "feedback"},
		{"Money", "money", "money"},
		{"Octopus", "octopuses", "octopus"},
		{"Data", "data", "data"},
		{"People", "people", "people"},
		{"UserSettings", "user_settings", "user_settings"},
		{"OrderDetails", "order_details", "order_details"},
		{"Preferences", "preferences", "preferences"},
		// initialisms
		{"ID", "ids", "id"},
		{"UserID", "user_ids", "user_id"},
		{"UserIDs", "user_ids", "user_ids"},
		{"URL", "urls", "url"},
		{"URLs", "urls", "urls"},
		{"SKU", "skus", "sku"},
		{"APIKey", "api_keys", "api_key"},
		{"JSONDoc", "json_docs", "json_doc"},
		{"PDFFile", "pdf_files", "pdf_file"},
		{"HTTPServer", "http_servers", "http_server"},
		{"HTTPSProxy", "https_proxies", "https_proxy"},
		{"MyHTMLParser", "my_html_parsers", "my_html_parser"},
		{"ABTest", "ab_tests", "ab_test"},
		{"AStar", "a_stars", "a_star"},
		// mixed-case names
		{"OAuthToken", "oauth_tokens", "oauth_token"},
		{"OAuth2Client", "oauth2_clients", "oauth2_client"},
		{"GoogleOAuth", "google_oauths", "google_oauth"},
		{"OAuthor", "o_authors", "o_author"},
		{"IPv6Address", "ipv6_addresses", "ipv6_address"},
		{"IPv4", "ipv4s", "ipv4"},
		{"ServerIPv4", "server_ipv4s", "server_ipv4"},
		{"GraphQLQuery", "graphql_queries", "graphql_query"},
		{"XMLOAuthRequest", "xml_oauth_requests", "xml_oauth_request"},
		{"PostgreSQLVersion", "postgresql_versions", "postgresql_version"},
		{"IOSApp", "ios_apps", "ios_app"},
		{"GitHubRepo", "github_repos", "github_repo"},
		// digits stay with the word before them
		{"Sha256", "sha256s", "sha256"},
		{"SHA256Sum", "sha256_sums", "sha256_sum"},
		{"Line2", "line2s", "line2"},
		{"S3Bucket", "s3_buckets", "s3_bucket"},
		{"X509Cert", "x509_certs", "x509_cert"},
		{"HTTP2Setting", "http2_settings", "http2_setting"},
		{"Md5sum", "md5sums", "md5sum"},
		// underscores and other letters
		{"created_at", "created_ats", "created_at"},
		{"Snake_Case", "snake_cases", "snake_case"},
		{"Größe", "größes", "größe"},
		{"ÜberUser", "über_users", "über_user"},
		{"", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.table, schema.TableName(tc.name), "table")
			assert.Equal(t, tc.column, schema.ColumnName(tc.name), "column")
		})
	}
}

func TestPlural(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"post_tag", "post_tags"},
		{"sales_person", "sales_people"},
		{"computer_mouse", "computer_mice"},
		{"user_settings", "user_settings"},
		{"ipv6_address", "ipv6_addresses"},
		{"a_", "a_"},
		{"", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, schema.Plural(tc.name))
		})
	}
}

// TestMappedNames: the mapper names tables and columns by these rules.
func TestMappedNames(t *testing.T) {
	type OAuthToken struct {
		ID       int64 `orm:"pk"`
		UserID   int64
		IPv6Addr string
	}
	type Person struct {
		ID int64 `orm:"pk"`
	}
	for _, tc := range []struct {
		name    string
		model   any
		table   string
		columns []string
	}{
		{"initialisms", &OAuthToken{}, "oauth_tokens", []string{"id", "user_id", "ipv6_addr"}},
		{"irregular plural", &Person{}, "people", []string{"id"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tb, _, err := schema.NewMapper().Map(tc.model)
			if !assert.NoError(t, err) {
				return
			}
			assert.Equal(t, tc.table, tb.Name)
			assert.Equal(t, tc.columns, columnNames(tb))
		})
	}
}

// FuzzSnake: any input gives lower-case words joined by single
// underscores, and snake_case input comes back unchanged.
func FuzzSnake(f *testing.F) {
	for _, s := range []string{"OAuth2Client", "IPv6Address", "UserIDs", "HTTPServer", "a__b_", "ÜberX", "iOS"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := schema.Snake(in)
		if strings.Contains(out, "__") || strings.HasPrefix(out, "_") || strings.HasSuffix(out, "_") {
			t.Fatalf("Snake(%q) = %q: stray underscore", in, out)
		}
		if strings.ToLower(out) != out {
			t.Fatalf("Snake(%q) = %q: upper-case letter", in, out)
		}
		if again := schema.Snake(out); again != out {
			t.Fatalf("Snake(%q) = %q, but Snake(%q) = %q", in, out, out, again)
		}
	})
}
