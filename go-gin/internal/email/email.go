// Package email decides whether an e-mail address is acceptable to the users API and returns
// the form in which it is stored.
//
// The policy is the one in CONTRACT.md, section "E-mail policy": ASCII only, a bare
// local@domain with no display name, quoting, comment or IP literal, a dot-atom local part,
// and a globally deliverable host name that is not a special-use name and has no xn-- label.
// The domain is stored in lower case. The local part keeps its case, except for the role
// mailbox names of RFC 2142 ("Postmaster", "INFO"), which are stored in lower case.
//
// The Python service gets this policy from the email-validator package (2.4.0), called with
// allow_smtputf8, allow_quoted_local, allow_domain_literal, allow_display_name and
// allow_empty_local off, globally_deliverable on, and no DNS lookups. This package is a port of
// the rules that package applies to ASCII input under those options. The two are kept in
// lockstep by the shared table contract-tests/testdata/email_cases.json, which both unit suites
// and the contract suite read: a change to the policy starts with new rows in that table.
package email

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrInvalid is wrapped by every error that Normalize returns, so that callers can tell a
// rejected address from any other failure with errors.Is.
var ErrInvalid = errors.New("invalid e-mail address")

const (
	// maxAddressLength is the longest address SMTP can carry (RFC 5321 4.5.3.1.3 and RFC 3696
	// erratum 1690). A domain of at most 253 characters (RFC 1035) follows from it, because the
	// local part and the @ take at least two.
	maxAddressLength = 254

	// maxLocalPartLength is the longest part before the @ (RFC 5321 4.5.3.1.1).
	maxLocalPartLength = 64

	// maxLabelLength is the longest DNS label (RFC 1035 2.3.1).
	maxLabelLength = 63
)

// localSpecials are the characters besides letters and digits that RFC 5322 3.2.3 allows in
// an atom, the building block of a dot-atom local part.
const localSpecials = "!#$%&'*+-/=?^_`{|}~"

// specialUseTLDs are the special-use names (RFC 6761, RFC 6762, RFC 7686) that
// email-validator rejects together with every name under them. Checking the top-level label
// is enough, because a domain here always has at least two labels.
var specialUseTLDs = []string{"arpa", "invalid", "local", "localhost", "onion", "test"}

// roleMailboxes are the mailbox names of RFC 2142. The RFC makes them case-insensitive, so
// email-validator stores them in lower case, and so must we.
var roleMailboxes = []string{
	"abuse", "ftp", "hostmaster", "info", "marketing", "news", "noc", "postmaster",
	"sales", "security", "support", "usenet", "uucp", "webmaster", "www",
}

// Normalize returns the form in which address is stored, or an error wrapping ErrInvalid if
// the address does not meet the policy described in the package documentation.
func Normalize(address string) (string, error) {
	if len(address) > maxAddressLength {
		return "", fmt.Errorf("%w: longer than %d characters", ErrInvalid, maxAddressLength)
	}

	// Any byte outside ASCII, including bytes of malformed UTF-8, is rejected here, so every
	// later step can work on bytes and count characters with len.
	if !isASCII(address) {
		return "", fmt.Errorf("%w: not ascii", ErrInvalid)
	}

	// email-validator splits at the first @ that is not inside quotes. Quotes are rejected
	// anyway, wherever they are, so the first @ of all gives the same verdict.
	local, domain, found := strings.Cut(address, "@")
	if !found {
		return "", fmt.Errorf("%w: no @", ErrInvalid)
	}

	if err := checkLocalPart(local); err != nil {
		return "", err
	}

	domain, err := normalizeDomain(domain)
	if err != nil {
		return "", err
	}

	return normalizeLocalPart(local) + "@" + domain, nil
}

// checkLocalPart returns an error unless local, the part before the @, is a dot-atom: atoms
// of letters, digits and localSpecials joined by single dots, at most 64 characters long
// (RFC 5321; email-validator checks it in strict mode, which the policy turns on).
func checkLocalPart(local string) error {
	// The first three cases would fail the character check below as well; they have their
	// own messages because they are the forms that people actually send.
	switch {
	case local == "":
		return fmt.Errorf("%w: nothing before the @", ErrInvalid)
	case strings.HasPrefix(local, `"`):
		return fmt.Errorf("%w: quoted local parts are not allowed", ErrInvalid)
	case strings.Contains(local, "<"):
		return fmt.Errorf("%w: display names are not allowed", ErrInvalid)
	case len(local) > maxLocalPartLength:
		return fmt.Errorf("%w: more than %d characters before the @", ErrInvalid, maxLocalPartLength)
	}

	for atom := range strings.SplitSeq(local, ".") {
		if atom == "" {
			return fmt.Errorf("%w: misplaced dot before the @", ErrInvalid)
		}

		for i := range len(atom) {
			if !isAtext(atom[i]) {
				return fmt.Errorf("%w: character %q before the @", ErrInvalid, atom[i])
			}
		}
	}

	return nil
}

// normalizeDomain checks domain, the part after the @, and returns it in lower case.
func normalizeDomain(domain string) (string, error) {
	if domain == "" {
		return "", fmt.Errorf("%w: nothing after the @", ErrInvalid)
	}

	if strings.HasPrefix(domain, "[") {
		return "", fmt.Errorf("%w: ip address literals are not allowed", ErrInvalid)
	}

	for i := range len(domain) {
		if !isHostnameChar(domain[i]) {
			return "", fmt.Errorf("%w: character %q after the @", ErrInvalid, domain[i])
		}
	}

	// Host names are case-insensitive (RFC 4343). Lowering first lets the label rules below
	// compare against lower-case names only.
	domain = strings.ToLower(domain)

	labels := strings.Split(domain, ".")
	for _, label := range labels {
		if err := checkLabel(label); err != nil {
			return "", err
		}
	}

	// A bare TLD is not globally deliverable: ICANN bars dotless names from receiving mail.
	if len(labels) < 2 {
		return "", fmt.Errorf("%w: domain has no dot", ErrInvalid)
	}

	// email-validator asks that the domain end with a letter, not that the TLD be
	// non-numeric: "example.123" and "example.co1" both fail. Every TLD ends with a letter.
	tld := labels[len(labels)-1]
	if !isLetter(tld[len(tld)-1]) {
		return "", fmt.Errorf("%w: top-level domain does not end with a letter", ErrInvalid)
	}

	if slices.Contains(specialUseTLDs, tld) {
		return "", fmt.Errorf("%w: special-use domain %q", ErrInvalid, tld)
	}

	return domain, nil
}

// checkLabel applies the host name rules of RFC 952 and RFC 1123 to one lower-case label,
// plus the RFC 5891 ban on hyphens in the third and fourth positions.
func checkLabel(label string) error {
	switch {
	case label == "":
		return fmt.Errorf("%w: misplaced dot after the @", ErrInvalid)
	case len(label) > maxLabelLength:
		return fmt.Errorf("%w: domain label longer than %d characters", ErrInvalid, maxLabelLength)
	case label[0] == '-' || label[len(label)-1] == '-':
		return fmt.Errorf("%w: domain label starts or ends with a hyphen", ErrInvalid)
	}

	// "ab--" is reserved for IDNA, whose only form in use is "xn--". email-validator would
	// decode an xn-- label to Unicode, and Unicode domains are outside the policy.
	if len(label) >= 4 && label[2:4] == "--" {
		if strings.HasPrefix(label, "xn") {
			return fmt.Errorf("%w: internationalized domain %q", ErrInvalid, label)
		}

		return fmt.Errorf("%w: hyphens in third and fourth place of %q", ErrInvalid, label)
	}

	return nil
}

// normalizeLocalPart returns the local part as stored: unchanged, unless it is a role mailbox
// name of RFC 2142, which is lowered.
func normalizeLocalPart(local string) string {
	lower := strings.ToLower(local)
	if slices.Contains(roleMailboxes, lower) {
		return lower
	}

	return local
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}

	return true
}

func isLetter(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func isDigit(c byte) bool {
	return '0' <= c && c <= '9'
}

func isAtext(c byte) bool {
	return isLetter(c) || isDigit(c) || strings.IndexByte(localSpecials, c) >= 0
}

func isHostnameChar(c byte) bool {
	return isLetter(c) || isDigit(c) || c == '-' || c == '.'
}
