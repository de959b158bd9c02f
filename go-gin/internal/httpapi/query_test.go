package httpapi

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

func TestParseQuery(t *testing.T) {
	tests := []struct {
		name     string
		rawQuery string
		want     map[string][]string
	}{
		{"empty", "", map[string][]string{}},
		{"one pair", "limit=5", map[string][]string{"limit": {"5"}}},
		{"in order", "a=1&b=2&a=3", map[string][]string{"a": {"1", "3"}, "b": {"2"}}},
		{"empty pieces skipped", "&&limit=5&&", map[string][]string{"limit": {"5"}}},
		{"no = is an empty value", "limit&x", map[string][]string{"limit": {""}, "x": {""}}},
		{"empty value", "limit=", map[string][]string{"limit": {""}}},
		{"empty name", "=5", map[string][]string{"": {"5"}}},
		{"cut at the first =", "limit=5=6", map[string][]string{"limit": {"5=6"}}},
		{"; does not split", "limit=5;after=1", map[string][]string{"limit": {"5;after=1"}}},
		{"+ is a space", "limit=+5+", map[string][]string{"limit": {" 5 "}}},
		{"escapes decoded", "lim%69t=%35", map[string][]string{"limit": {"5"}}},
		{"escaped +", "limit=%2B5", map[string][]string{"limit": {"+5"}}},
		{"escaped &", "limit=5%26after=1", map[string][]string{"limit": {"5&after=1"}}},
		{"invalid escape kept", "limit=5%ZZ", map[string][]string{"limit": {"5%ZZ"}}},
		{"invalid escape keeps the rest raw", "limit=%31+%ZZ", map[string][]string{"limit": {"%31+%ZZ"}}},
		{"short escape kept", "limit=5%", map[string][]string{"limit": {"5%"}}},
		{"invalid escape in a name", "lim%ZZit=5", map[string][]string{"lim%ZZit": {"5"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseQuery(tt.rawQuery)
			if !maps.EqualFunc(got, tt.want, slices.Equal) {
				t.Errorf("parseQuery(%q) = %q, want %q", tt.rawQuery, got, tt.want)
			}
		})
	}
}

func TestParsePage(t *testing.T) {
	tests := []struct {
		rawQuery string
		want     page
	}{
		{"", page{limit: 20, after: 0}},
		{"limit=1", page{limit: 1, after: 0}},
		{"limit=100", page{limit: 100, after: 0}},
		{"after=0", page{limit: 20, after: 0}},
		{"after=9223372036854775807", page{limit: 20, after: 9223372036854775807}},
		{"after=42&limit=7", page{limit: 7, after: 42}},
		{"limit=%31%30", page{limit: 10, after: 0}},
		{"limit=5&&", page{limit: 5, after: 0}},
		{"&limit=5", page{limit: 5, after: 0}},
		{"limit=5&limit2=1&Limit=x&sort=name&x", page{limit: 5, after: 0}},
	}
	for _, tt := range tests {
		t.Run(tt.rawQuery, func(t *testing.T) {
			got, violations := parsePage(tt.rawQuery)
			if len(violations) > 0 {
				t.Fatalf("parsePage(%q) violations = %v, want none", tt.rawQuery, violations)
			}

			if got != tt.want {
				t.Errorf("parsePage(%q) = %+v, want %+v", tt.rawQuery, got, tt.want)
			}
		})
	}
}

func TestParsePage_violations(t *testing.T) {
	tests := []struct {
		name     string
		rawQuery string
		want     []violation
	}{
		{"limit repeated", "limit=5&limit=5", []violation{repeated("limit")}},
		{"limit repeated, once escaped", "lim%69t=5&limit=6", []violation{repeated("limit")}},
		{"limit repeated, once bad", "limit=x&limit=5", []violation{repeated("limit")}},
		{"limit repeated without values", "limit&limit", []violation{repeated("limit")}},
		{"after repeated", "after=1&after=2", []violation{repeated("after")}},

		{"limit empty", "limit=", []violation{notInteger("limit")}},
		{"limit without =", "limit", []violation{notInteger("limit")}},
		{"limit of a space", "limit=+", []violation{notInteger("limit")}},
		{"limit with spaces", "limit=+5", []violation{notInteger("limit")}},
		{"limit with an escaped space", "limit=%205", []violation{notInteger("limit")}},
		{"limit with an escaped +", "limit=%2B5", []violation{notInteger("limit")}},
		{"limit negative", "limit=-1", []violation{notInteger("limit")}},
		{"limit with a leading zero", "limit=05", []violation{notInteger("limit")}},
		{"limit of two zeros", "limit=00", []violation{notInteger("limit")}},
		{"limit decimal", "limit=5.0", []violation{notInteger("limit")}},
		{"limit with an exponent", "limit=1e1", []violation{notInteger("limit")}},
		{"limit in hex", "limit=0x5", []violation{notInteger("limit")}},
		{"limit in words", "limit=ten", []violation{notInteger("limit")}},
		{"limit with ;", "limit=5;after=1", []violation{notInteger("limit")}},
		{"limit with an invalid escape", "limit=5%ZZ", []violation{notInteger("limit")}},
		{"limit with a short escape", "limit=5%3", []violation{notInteger("limit")}},
		{"limit in full-width digits", "limit=%EF%BC%95", []violation{notInteger("limit")}},
		{"limit with a newline", "limit=5%0A", []violation{notInteger("limit")}},
		{"limit with NUL", "limit=5%00", []violation{notInteger("limit")}},
		{"limit of invalid UTF-8", "limit=%FF", []violation{notInteger("limit")}},
		{"limit with a fragment glued on", "limit=5%23x", []violation{notInteger("limit")}},
		{"after negative", "after=-1", []violation{notInteger("after")}},
		{"after with a leading zero", "after=01", []violation{notInteger("after")}},
		{"after in words", "after=abc", []violation{notInteger("after")}},

		{"limit 0", "limit=0", []violation{limitOutOfRange()}},
		{"limit 101", "limit=101", []violation{limitOutOfRange()}},
		{"limit of 19 digits", "limit=9223372036854775807", []violation{limitOutOfRange()}},
		{"limit of 20 digits", "limit=99999999999999999999", []violation{limitOutOfRange()}},
		{"limit of 5000 digits", "limit=" + strings.Repeat("9", 5000), []violation{limitOutOfRange()}},
		{"after just over the largest id", "after=9223372036854775808", []violation{afterOutOfRange()}},
		{"after of 19 nines", "after=9999999999999999999", []violation{afterOutOfRange()}},
		{"after of 20 digits", "after=10000000000000000000", []violation{afterOutOfRange()}},

		{"both, sorted by location", "limit=0&after=x", []violation{
			notInteger("after"), limitOutOfRange(),
		}},
		{"both repeated", "limit=1&after=1&limit=2&after=2", []violation{
			repeated("after"), repeated("limit"),
		}},
		{"repeated wins over type", "limit=x&limit=y", []violation{repeated("limit")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, violations := parsePage(tt.rawQuery)
			if !slices.EqualFunc(violations, tt.want, equalLocated) {
				t.Errorf("parsePage(%q) violations:\n got %v\nwant %v", tt.rawQuery, violations, tt.want)
			}

			if got != (page{}) {
				t.Errorf("parsePage(%q) = %+v along with violations, want the zero page", tt.rawQuery, got)
			}
		})
	}
}

func equalLocated(a, b violation) bool {
	return slices.Equal(a.Loc, b.Loc) && a.Code == b.Code && a.Message == b.Message
}

func repeated(name string) violation {
	return violation{Loc: []string{"query", name}, Code: "repeated", Message: "must be given at most once"}
}

func notInteger(name string) violation {
	return violation{Loc: []string{"query", name}, Code: "type", Message: "must be an integer"}
}

func limitOutOfRange() violation {
	return violation{
		Loc: []string{"query", "limit"}, Code: "out_of_range", Message: "must be between 1 and 100",
	}
}

func afterOutOfRange() violation {
	return violation{
		Loc: []string{"query", "after"}, Code: "out_of_range",
		Message: "must be at most 9223372036854775807",
	}
}

func TestIsCanonicalInteger(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"0", true},
		{"1", true},
		{"10", true},
		{"99999999999999999999", true},
		{"", false},
		{"00", false},
		{"01", false},
		{"+1", false},
		{"-0", false},
		{" 1", false},
		{"1 ", false},
		{"1_000", false},
		{"١", false},
	}
	for _, tt := range tests {
		if got := isCanonicalInteger(tt.s); got != tt.want {
			t.Errorf("isCanonicalInteger(%q) = %t, want %t", tt.s, got, tt.want)
		}
	}
}
