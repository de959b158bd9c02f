package httpapi

import (
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"fastapi-vs-gin/go-gin/internal/users"
)

const (
	// defaultLimit is the size of a page when the client does not say.
	defaultLimit = 20

	// maxLimit is the largest page a client may ask for, which bounds the work of one
	// request.
	maxLimit = 100
)

// The codes of the violations of a query. A value that is not an integer breaks the same
// rule, type, as a member of the body that is not a string.
const (
	codeRepeated   = "repeated"
	codeNotInteger = users.CodeType
	codeOutOfRange = "out_of_range"
)

// page is a request for one page of the listing: at most limit users whose ids are greater
// than after.
type page struct {
	limit int
	after int64
}

// nextPath returns the path of the page that follows this one, which ended with the user
// whose id is lastID.
func (p page) nextPath(lastID int64) string {
	return fmt.Sprintf("/users?limit=%d&after=%d", p.limit, lastID)
}

// parsePage reads limit and after from rawQuery, the query string of GET /users. It returns
// the page, with the defaults for what is absent, or a violation for each parameter that is
// given with a bad value, sorted by location.
func parsePage(rawQuery string) (page, []violation) {
	params := parseQuery(rawQuery)

	limit, vLimit := queryInteger(params, "limit", defaultLimit, 1, maxLimit)
	after, vAfter := queryInteger(params, "after", 0, 0, math.MaxInt64)

	var violations []violation
	for _, v := range []*violation{vLimit, vAfter} {
		if v != nil {
			violations = append(violations, *v)
		}
	}
	if len(violations) > 0 {
		slices.SortFunc(violations, func(a, b violation) int { return slices.Compare(a.Loc, b.Loc) })
		return page{}, violations
	}

	return page{limit: int(limit), after: after}, nil
}

// parseQuery returns the values of every parameter in rawQuery, in order, read the way the
// contract says and Python's urllib.parse.parse_qsl(keep_blank_values=True) reads it for the
// FastAPI service: pieces are split on & alone, empty pieces are skipped, each piece is cut
// at its first =, and a piece without = is a name with an empty value.
//
// url.ParseQuery is not used: it drops every piece that holds a ; or a bad escape, so
// "limit=1;x" and "limit=%ZZ" would be missing parameters instead of bad values, and a
// parameter given twice would not always be seen twice.
func parseQuery(rawQuery string) map[string][]string {
	params := make(map[string][]string)
	for piece := range strings.SplitSeq(rawQuery, "&") {
		if piece == "" {
			continue
		}

		name, value, _ := strings.Cut(piece, "=")
		name = unescapeQuery(name)
		params[name] = append(params[name], unescapeQuery(value))
	}

	return params
}

// unescapeQuery decodes s as a name or value of a query: + is a space and percent-escapes
// are decoded. If s holds an invalid escape, unescapeQuery returns s as it is.
//
// Python decodes the valid escapes around an invalid one and keeps the invalid one as it
// is; here s is kept whole. The results differ, but both still hold a %, so neither is a
// parameter's name or a valid integer, and the verdict is the same.
func unescapeQuery(s string) string {
	unescaped, err := url.QueryUnescape(s)
	if err != nil {
		return s
	}

	return unescaped
}

// queryInteger returns the value of the integer parameter name in params, or def if it is
// absent. If the parameter is given more than once, is not an integer in canonical decimal
// form, or is not between lowest and highest, it returns the first of these rules that the
// parameter breaks, in that order.
func queryInteger(params map[string][]string, name string, def, lowest, highest int64) (
	int64, *violation,
) {
	values, ok := params[name]
	if !ok {
		return def, nil
	}

	loc := []string{"query", name}
	if len(values) > 1 {
		return 0, &violation{Loc: loc, Code: codeRepeated, Message: "must be given at most once"}
	}

	value := values[0]
	if !isCanonicalInteger(value) {
		return 0, &violation{Loc: loc, Code: codeNotInteger, Message: "must be an integer"}
	}

	n, ok := parseInRange(value, lowest, highest)
	if !ok {
		message := fmt.Sprintf("must be between %d and %d", lowest, highest)
		if lowest == 0 {
			message = fmt.Sprintf("must be at most %d", highest)
		}
		return 0, &violation{Loc: loc, Code: codeOutOfRange, Message: message}
	}

	return n, nil
}

// parseInRange returns the integer that s, in canonical decimal form, spells, or false if it
// is not between lowest and highest.
func parseInRange(s string, lowest, highest int64) (int64, bool) {
	// Without a leading zero, more digits than highest has means a larger number, however
	// many there are. ParseInt then sees at most 19 digits, and can fail only by overflow.
	if len(s) > len(strconv.FormatInt(highest, 10)) {
		return 0, false
	}

	n, err := strconv.ParseInt(s, 10, 64)

	return n, err == nil && lowest <= n && n <= highest
}

// isCanonicalInteger reports whether s is the canonical decimal form of a non-negative
// integer: 0, or ASCII digits without a leading zero. There is no sign, no space and no
// exponent; strconv.ParseInt alone would take "+1" and "01".
func isCanonicalInteger(s string) bool {
	if s == "" || (s[0] == '0' && len(s) > 1) {
		return false
	}

	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}

	return true
}
