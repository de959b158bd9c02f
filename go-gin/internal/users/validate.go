package users

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"fastapi-vs-gin/go-gin/internal/email"
)

// The codes of a Violation, one for each rule of the contract's validation table.
const (
	CodeRequired           = "required"
	CodeType               = "type"
	CodeTooShort           = "too_short"
	CodeTooLong            = "too_long"
	CodeBlank              = "blank"
	CodeForbiddenCharacter = "forbidden_character"
	CodeInvalidEmail       = "invalid_email"
	CodeUnknownField       = "unknown_field"
)

const (
	// maxNameLength is the longest name, in code points. The database enforces the same
	// bound with a CHECK constraint.
	maxNameLength = 100

	// maxEmailLength is the longest address that SMTP can carry (RFC 5321 4.5.3.1.3).
	maxEmailLength = 254
)

// Violation is one broken rule in a request to create or update a user.
type Violation struct {
	// Path locates the problem in the request: empty for the request as a whole, else the
	// name of the member at fault.
	Path []string

	// Code says which rule is broken and Message says it in words. Both are part of the
	// contract, so clients may rely on them.
	Code    string
	Message string
}

// ParseNewUser validates body, the JSON text of a request to create a user, and returns the
// user to create. The caller must already have checked that body is valid JSON.
//
// If the request breaks any rule, ParseNewUser returns every broken rule, at most one per
// location, sorted by Path, and the NewUser is not to be used.
func ParseNewUser(body []byte) (NewUser, []Violation) {
	members, ok := objectMembers(body)
	if !ok {
		return NewUser{}, []Violation{notAnObject()}
	}

	changes, violations := parseMembers(members)

	// A member that is present but wrong has its own violation already; only a missing
	// one is reported as required.
	for _, member := range []string{"name", "email"} {
		if _, ok := members[member]; !ok {
			violations = append(violations, Violation{
				Path: []string{member}, Code: CodeRequired, Message: "field required",
			})
		}
	}

	if len(violations) > 0 {
		return NewUser{}, sortViolations(violations)
	}

	// Without violations, both members were present and valid.
	return NewUser{Name: *changes.Name, Email: *changes.Email}, nil
}

// ParseChanges validates body, the JSON text of a request to update a user, and returns the
// changes to make. The caller must already have checked that body is valid JSON.
//
// Every member is optional, and "{}" is a valid request that changes nothing. A member that
// is present follows the rules of ParseNewUser; null is not a way to leave it out, and is
// refused like any other value that is not a string. If the request breaks any rule,
// ParseChanges returns every broken rule, sorted by Path, and the Changes are not to be used.
func ParseChanges(body []byte) (Changes, []Violation) {
	members, ok := objectMembers(body)
	if !ok {
		return Changes{}, []Violation{notAnObject()}
	}

	changes, violations := parseMembers(members)
	if len(violations) > 0 {
		return Changes{}, sortViolations(violations)
	}

	return changes, nil
}

// objectMembers returns the members of body by name, or false if body is a JSON value other
// than an object.
func objectMembers(body []byte) (map[string]jsontext.Value, bool) {
	// A nil map would also come out of "null", so the kind is checked first.
	var members map[string]jsontext.Value
	if jsontext.Value(body).Kind() != '{' || json.Unmarshal(body, &members) != nil {
		return nil, false
	}

	return members, true
}

// parseMembers checks every member against the rules of its field and returns the values of
// the valid ones, and a violation for each of the others, in no particular order.
func parseMembers(members map[string]jsontext.Value) (Changes, []Violation) {
	var (
		changes    Changes
		violations []Violation
	)
	for member, value := range members {
		var v *Violation
		switch member {
		case "name":
			changes.Name, v = parseName(value)
		case "email":
			changes.Email, v = parseEmail(value)
		default:
			v = &Violation{Code: CodeUnknownField, Message: "unknown field"}
		}

		if v != nil {
			v.Path = []string{member}
			violations = append(violations, *v)
		}
	}

	return changes, violations
}

// sortViolations sorts violations by location, as the contract wants them, and returns them.
// They come from a map, whose order is random.
func sortViolations(violations []Violation) []Violation {
	slices.SortFunc(violations, func(a, b Violation) int { return slices.Compare(a.Path, b.Path) })

	return violations
}

// parseName checks a name against the contract's rules, in the contract's order, and returns
// it exactly as sent or the first rule it breaks.
func parseName(value jsontext.Value) (*string, *Violation) {
	name, ok := decodeString(value)
	if !ok {
		return nil, notAString()
	}

	switch n := utf8.RuneCountInString(name); {
	case n < 1:
		return nil, &Violation{Code: CodeTooShort, Message: "must be at least 1 character"}
	case n > maxNameLength:
		return nil, &Violation{Code: CodeTooLong, Message: "must be at most 100 characters"}
	case isBlank(name):
		return nil, &Violation{Code: CodeBlank, Message: "must not be blank"}
	case strings.ContainsRune(name, 0):
		// PostgreSQL text cannot hold U+0000: inserting it would fail with an error of its
		// own, so it is refused here with a message the client can act on.
		return nil, &Violation{Code: CodeForbiddenCharacter, Message: "must not contain U+0000"}
	}

	return &name, nil
}

// parseEmail checks an e-mail address and returns its stored form or the first rule it
// breaks.
func parseEmail(value jsontext.Value) (*string, *Violation) {
	address, ok := decodeString(value)
	if !ok {
		return nil, notAString()
	}

	// The length is counted in code points, like the name's, so that a long address of
	// non-ASCII characters is too_long here and not merely invalid in package email.
	if utf8.RuneCountInString(address) > maxEmailLength {
		return nil, &Violation{Code: CodeTooLong, Message: "must be at most 254 characters"}
	}

	// Every error of Normalize wraps email.ErrInvalid: it has no other way to fail.
	stored, err := email.Normalize(address)
	if err != nil {
		return nil, &Violation{Code: CodeInvalidEmail, Message: "must be a valid e-mail address"}
	}

	return &stored, nil
}

// decodeString returns the string that value holds, or false if value is not a JSON
// string. Numbers, booleans and null are never converted: the contract allows no coercion.
func decodeString(value jsontext.Value) (string, bool) {
	if value.Kind() != '"' {
		return "", false
	}

	var s string
	if err := json.Unmarshal(value, &s); err != nil {
		return "", false
	}

	return s, true
}

// isBlank reports whether s is made only of characters with the Unicode White_Space
// property, as the contract defines blank. Callers check first that s is not empty.
func isBlank(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.White_Space, r) {
			return false
		}
	}

	return true
}

func notAString() *Violation {
	return &Violation{Code: CodeType, Message: "must be a string"}
}

func notAnObject() Violation {
	return Violation{Code: CodeType, Message: "must be a JSON object"}
}
