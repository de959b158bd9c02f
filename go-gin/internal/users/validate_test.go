package users

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

// withName returns a request body with the JSON text name as its name and a valid address.
func withName(name string) string {
	return `{"name":` + name + `,"email":"ada@example.com"}`
}

// withEmail returns a request body with a valid name and the JSON text email as its address.
func withEmail(email string) string {
	return `{"name":"Ada","email":` + email + `}`
}

// quote returns s between double quotes; s must need no escaping.
func quote(s string) string {
	return `"` + s + `"`
}

func TestParseNewUser(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		wantName  string
		wantEmail string
	}{
		{"plain", withName(`"Ada Lovelace"`), "Ada Lovelace", "ada@example.com"},
		{"name kept as sent", withName(`"  Ada\t"`), "  Ada\t", "ada@example.com"},
		{"name of 1 code point", withName(`"A"`), "A", "ada@example.com"},
		{
			"name of 100 code points, 300 bytes", withName(quote(strings.Repeat("語", 100))),
			strings.Repeat("語", 100), "ada@example.com",
		},
		{"name with escapes", withName(`"\u00c9mile \ud83d\ude00"`), "Émile 😀", "ada@example.com"},
		{"email domain lowered", withEmail(`"Ada@Example.COM"`), "Ada", "Ada@example.com"},
		{"members in any order", `{"email":"ada@example.com","name":"Ada"}`, "Ada", "ada@example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, violations := ParseNewUser([]byte(tt.body))
			if len(violations) > 0 {
				t.Fatalf("ParseNewUser(%s) violations = %v, want none", tt.body, violations)
			}

			want := NewUser{Name: tt.wantName, Email: tt.wantEmail}
			if got != want {
				t.Errorf("ParseNewUser(%s) = %+v, want %+v", tt.body, got, want)
			}
		})
	}
}

func TestParseNewUser_violations(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []Violation
	}{
		{"array", `[]`, []Violation{notObject()}},
		{"string", `"ada"`, []Violation{notObject()}},
		{"null", `null`, []Violation{notObject()}},
		{"number", ` 1 `, []Violation{notObject()}},
		{"empty object", `{}`, []Violation{required("email"), required("name")}},

		{"name number", withName(`123`), []Violation{notString("name")}},
		{"name true", withName(`true`), []Violation{notString("name")}},
		{"name null", withName(`null`), []Violation{notString("name")}},
		{"name object", withName(`{"first":"Ada"}`), []Violation{notString("name")}},
		{"name empty", withName(`""`), []Violation{nameTooShort()}},
		{"name of 101 code points", withName(quote(strings.Repeat("語", 101))), []Violation{
			nameTooLong(),
		}},
		{"name of 101 spaces is too long before blank", withName(quote(strings.Repeat(" ", 101))),
			[]Violation{nameTooLong()}},
		{"name of spaces", withName(`"   "`), []Violation{nameBlank()}},
		{"name of ideographic space", withName(`"\u3000"`), []Violation{nameBlank()}},
		{"name of mixed white space", withName(`"\t\n\u00a0\u2028\u205f"`), []Violation{nameBlank()}},
		{"name with zero width space", withName(`"\u200b"`), nil},
		{"name of NUL", withName(`"\u0000"`), []Violation{nameNUL()}},
		{"name with NUL", withName(`"Ada\u0000Lovelace"`), []Violation{nameNUL()}},
		{"name of space and NUL is not blank", withName(`" \u0000"`), []Violation{nameNUL()}},
		{"name of 101 NULs is too long first", withName(quote(strings.Repeat(`\u0000`, 101))),
			[]Violation{nameTooLong()}},

		{"email number", withEmail(`1`), []Violation{notString("email")}},
		{"email invalid", withEmail(`"ada"`), []Violation{emailInvalid()}},
		{"email with display name", withEmail(`"Ada <ada@example.com>"`), []Violation{emailInvalid()}},
		{"email of 255 characters", withEmail(quote(strings.Repeat("a", 243) + "@example.com")),
			[]Violation{emailTooLong()}},
		{"email of 254 characters is checked as an address",
			withEmail(quote(strings.Repeat("a", 242) + "@example.com")), []Violation{emailInvalid()}},
		{"email of 255 non-ASCII characters", withEmail(quote(strings.Repeat("é", 255))),
			[]Violation{emailTooLong()}},
		{"email of 254 non-ASCII characters", withEmail(quote(strings.Repeat("é", 254))),
			[]Violation{emailInvalid()}},

		{"unknown member", `{"name":"Ada","email":"ada@example.com","admin":true}`, []Violation{
			unknown("admin"),
		}},
		{"every problem, sorted by location", `{"nickname":1,"name":" ","email":"x","age":3,"":0}`,
			[]Violation{unknown(""), unknown("age"), emailInvalid(), nameBlank(), unknown("nickname")}},
		{"sorted by bytes", `{"é":1,"z":1,"Z":1,"name":"Ada","email":"ada@example.com"}`,
			[]Violation{unknown("Z"), unknown("z"), unknown("é")}},
		{"missing and unknown", `{"nickname":"Ada"}`,
			[]Violation{required("email"), required("name"), unknown("nickname")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got := ParseNewUser([]byte(tt.body))
			if !slices.EqualFunc(got, tt.want, equalViolation) {
				t.Errorf("ParseNewUser(%s) violations:\n got %v\nwant %v", tt.body, got, tt.want)
			}
		})
	}
}

func TestParseChanges(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		wantName  *string
		wantEmail *string
	}{
		{"empty object changes nothing", `{}`, nil, nil},
		{"name only", `{"name":" Ada\t"}`, ptr(" Ada\t"), nil},
		{"email only, normalized", `{"email":"Ada@Example.COM"}`, nil, ptr("Ada@example.com")},
		{"role mailbox lowered", `{"email":"POSTMASTER@example.com"}`, nil, ptr("postmaster@example.com")},
		{"both", `{"email":"ada@example.com","name":"Ada"}`, ptr("Ada"), ptr("ada@example.com")},
		{"white space around the object", " \n{}\t", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, violations := ParseChanges([]byte(tt.body))
			if len(violations) > 0 {
				t.Fatalf("ParseChanges(%s) violations = %v, want none", tt.body, violations)
			}

			if !equalPtr(got.Name, tt.wantName) || !equalPtr(got.Email, tt.wantEmail) {
				t.Errorf("ParseChanges(%s) = name %s, email %s; want name %s, email %s", tt.body,
					show(got.Name), show(got.Email), show(tt.wantName), show(tt.wantEmail))
			}
		})
	}
}

func TestParseChanges_violations(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []Violation
	}{
		{"array", `[]`, []Violation{notObject()}},
		{"null", `null`, []Violation{notObject()}},
		{"string", `"{}"`, []Violation{notObject()}},

		{"name null is not a way to leave it out", `{"name":null}`, []Violation{notString("name")}},
		{"email null", `{"email":null}`, []Violation{notString("email")}},
		{"name number", `{"name":1}`, []Violation{notString("name")}},
		{"name empty", `{"name":""}`, []Violation{nameTooShort()}},
		{"name blank", `{"name":"\u2003"}`, []Violation{nameBlank()}},
		{"name with NUL", `{"name":"a\u0000"}`, []Violation{nameNUL()}},
		{"email invalid", `{"email":"ada@localhost"}`, []Violation{emailInvalid()}},
		{"email too long", `{"email":` + quote(strings.Repeat("a", 243)+"@example.com") + `}`,
			[]Violation{emailTooLong()}},
		{"unknown member", `{"id":1}`, []Violation{unknown("id")}},
		{"a valid member does not hide the others", `{"name":"Ada","created_at":"x"}`,
			[]Violation{unknown("created_at")}},
		{"every problem, sorted by location", `{"updated_at":1,"name":null,"email":"x","":0}`,
			[]Violation{unknown(""), emailInvalid(), notString("name"), unknown("updated_at")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, violations := ParseChanges([]byte(tt.body))
			if !slices.EqualFunc(violations, tt.want, equalViolation) {
				t.Errorf("ParseChanges(%s) violations:\n got %v\nwant %v", tt.body, violations, tt.want)
			}

			if got.Name != nil || got.Email != nil {
				t.Errorf("ParseChanges(%s) = name %s, email %s along with violations; want neither",
					tt.body, show(got.Name), show(got.Email))
			}
		})
	}
}

// TestParseChanges_sameRules checks that a member of an update breaks exactly the rules it
// would break in a request to create a user.
func TestParseChanges_sameRules(t *testing.T) {
	values := []string{
		`"Ada"`, `""`, `" "`, `null`, `true`, `[]`, `"a\u0000"`, quote(strings.Repeat("x", 101)),
		`"ada@example.com"`, `"ada@"`, `"ADA@EXAMPLE.COM"`, quote(strings.Repeat("é", 255)),
	}
	for _, value := range values {
		for _, member := range []string{"name", "email"} {
			create := withName(value)
			if member == "email" {
				create = withEmail(value)
			}
			update := `{"` + member + `":` + value + `}`

			_, want := ParseNewUser([]byte(create))
			_, got := ParseChanges([]byte(update))
			if !slices.EqualFunc(got, want, equalViolation) {
				t.Errorf("ParseChanges(%s) violations = %v, ParseNewUser(%s) violations = %v",
					update, got, create, want)
			}
		}
	}
}

func ptr(s string) *string {
	return &s
}

func equalPtr(a, b *string) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

// show returns s quoted, or "nil".
func show(s *string) string {
	if s == nil {
		return "nil"
	}

	return strconv.Quote(*s)
}

func equalViolation(a, b Violation) bool {
	return slices.Equal(a.Path, b.Path) && a.Code == b.Code && a.Message == b.Message
}

func notObject() Violation {
	return Violation{Code: CodeType, Message: "must be a JSON object"}
}

func required(member string) Violation {
	return Violation{Path: []string{member}, Code: CodeRequired, Message: "field required"}
}

func notString(member string) Violation {
	return Violation{Path: []string{member}, Code: CodeType, Message: "must be a string"}
}

func nameTooShort() Violation {
	return Violation{
		Path: []string{"name"}, Code: CodeTooShort, Message: "must be at least 1 character",
	}
}

func nameTooLong() Violation {
	return Violation{
		Path: []string{"name"}, Code: CodeTooLong, Message: "must be at most 100 characters",
	}
}

func nameBlank() Violation {
	return Violation{Path: []string{"name"}, Code: CodeBlank, Message: "must not be blank"}
}

func nameNUL() Violation {
	return Violation{
		Path: []string{"name"}, Code: CodeForbiddenCharacter, Message: "must not contain U+0000",
	}
}

func emailTooLong() Violation {
	return Violation{
		Path: []string{"email"}, Code: CodeTooLong, Message: "must be at most 254 characters",
	}
}

func emailInvalid() Violation {
	return Violation{
		Path: []string{"email"}, Code: CodeInvalidEmail, Message: "must be a valid e-mail address",
	}
}

func unknown(member string) Violation {
	return Violation{Path: []string{member}, Code: CodeUnknownField, Message: "unknown field"}
}
