package email

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"
)

// sharedTablePath is the table that the Python service and the contract suite read too. It lies
// outside this module, so a copy of the service taken out of the monorepo runs without it.
const sharedTablePath = "../../../contract-tests/testdata/email_cases.json"

// emailCase is one row of the shared table. Normalized is set only when Valid is true.
type emailCase struct {
	Address    string `json:"address"`
	Valid      bool   `json:"valid"`
	Normalized string `json:"normalized"`
	Why        string `json:"why"`
}

// inlineCases keep the package tested on its own, without the shared table.
var inlineCases = []emailCase{
	{Address: "ada@example.com", Valid: true, Normalized: "ada@example.com", Why: "plain"},
	{Address: "Ada@EXAMPLE.com", Valid: true, Normalized: "Ada@example.com", Why: "case"},
	{Address: "Abuse@example.com", Valid: true, Normalized: "abuse@example.com", Why: "role"},
	{Address: "a+b.c@mail.example.org", Valid: true, Normalized: "a+b.c@mail.example.org",
		Why: "plus tag and subdomain"},
	{Address: "ada@localhost", Why: "special-use"},
	{Address: "ada@xn--80ak6aa92e.com", Why: "idn"},
	{Address: "ada@ab--cd.com", Why: "hyphens in third and fourth place"},
	{Address: "ada@example.com.", Why: "trailing dot"},
	{Address: `"ada"@example.com`, Why: "quoted"},
	{Address: "Ada <ada@example.com>", Why: "display name"},
	{Address: "ada@[127.0.0.1]", Why: "ip literal"},
	{Address: "ada@example.c0", Why: "tld ends with a digit"},
	{Address: "ad\xffa@example.com", Why: "invalid utf-8"},
	{Address: strings.Repeat("a", 243) + "@example.com", Why: "255 characters"},
}

func TestNormalize(t *testing.T) {
	t.Run("inline", func(t *testing.T) {
		runCases(t, inlineCases)
	})

	t.Run("shared", func(t *testing.T) {
		runCases(t, loadSharedTable(t))
	})
}

func runCases(t *testing.T, cases []emailCase) {
	t.Helper()

	for _, tc := range cases {
		t.Run(tc.Why, func(t *testing.T) {
			got, err := Normalize(tc.Address)

			switch {
			case tc.Valid && err != nil:
				t.Errorf("Normalize(%q) failed with %v, want %q", tc.Address, err, tc.Normalized)
			case tc.Valid && got != tc.Normalized:
				t.Errorf("Normalize(%q) = %q, want %q", tc.Address, got, tc.Normalized)
			case !tc.Valid && err == nil:
				t.Errorf("Normalize(%q) = %q, want an error", tc.Address, got)
			case !tc.Valid && !errors.Is(err, ErrInvalid):
				t.Errorf("Normalize(%q) failed with %v, want an error wrapping ErrInvalid",
					tc.Address, err)
			case !tc.Valid && got != "":
				t.Errorf("Normalize(%q) returned %q with its error, want \"\"", tc.Address, got)
			}
		})
	}
}

func loadSharedTable(t *testing.T) []emailCase {
	t.Helper()

	data, err := os.ReadFile(sharedTablePath)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%s not found: this service is not inside the monorepo", sharedTablePath)
	}

	if err != nil {
		t.Fatalf("reading the shared table: %v", err)
	}

	// A misspelt member would otherwise read as false or "" and pass silently.
	decoder := json.NewDecoder(bytes.NewReader(data))
	decoder.DisallowUnknownFields()

	var cases []emailCase
	if err := decoder.Decode(&cases); err != nil {
		t.Fatalf("decoding the shared table: %v", err)
	}

	if len(cases) == 0 {
		t.Fatal("the shared table is empty")
	}

	return cases
}

func FuzzNormalize(f *testing.F) {
	for _, tc := range inlineCases {
		f.Add(tc.Address)
	}

	f.Fuzz(func(t *testing.T, address string) {
		got, err := Normalize(address)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Normalize(%q) failed with %v, want an error wrapping ErrInvalid",
					address, err)
			}

			return
		}

		if len(got) > maxAddressLength || !isASCII(got) {
			t.Fatalf("Normalize(%q) = %q, want ASCII of at most %d characters",
				address, got, maxAddressLength)
		}

		// The stored form must be a fixed point, or a stored address could fail to match
		// the same address sent again.
		again, err := Normalize(got)
		if err != nil || again != got {
			t.Fatalf("Normalize(%q) = %q, but Normalize(%q) = %q, %v", address, got, got, again, err)
		}
	})
}
