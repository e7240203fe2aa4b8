package orgpush

import (
	"regexp"
	"strings"
)

// DingTalk takes mainland numbers as 11 digits and others as "+CC-NUMBER" (reference 3.2);
// the simulator checks the same pattern.
var (
	mobilePattern   = regexp.MustCompile(`^(1[3-9]\d{9}|\+\d{1,4}-\d{4,15})$`)
	mainlandPattern = regexp.MustCompile(`^\+?86-?(1[3-9]\d{9})$`)
)

// normalizeMobile returns the number as DingTalk stores it: spaces removed, and a mainland
// number written +86-138..., +86138... or 86-138... reduced to its 11 digits. ok is false
// when the result is not a number DingTalk accepts.
func normalizeMobile(s string) (string, bool) {
	s = strings.Join(strings.Fields(s), "")
	if m := mainlandPattern.FindStringSubmatch(s); m != nil {
		s = m[1]
	}
	return s, mobilePattern.MatchString(s)
}

// sameMobile reports whether two numbers are the same once normalised.
func sameMobile(a, b string) bool {
	na, _ := normalizeMobile(a)
	nb, _ := normalizeMobile(b)
	return na == nb
}

// MaskMobile hides the middle of a mobile number, as DingTalk's own UI does: 138****0001.
// Everything kaoqin prints or journals about a person's number goes through it. Shorter
// (malformed) numbers show less, so that at least four digits stay hidden.
func MaskMobile(m string) string {
	r := []rune(m)
	switch {
	case len(r) == 0:
		return ""
	case len(r) < 9:
		return "****"
	case len(r) < 11:
		return string(r[:3]) + "****" + string(r[len(r)-2:])
	}
	return string(r[:3]) + "****" + string(r[len(r)-4:])
}

// MaskPhone hides the middle of an office telephone number as MaskMobile does a mobile.
func MaskPhone(s string) string { return MaskMobile(s) }

// MaskEmail hides the name of an email address but its first character: z***@example.com.
// The plan, the journal and the file's problems show emails so.
func MaskEmail(s string) string {
	name, domain, ok := strings.Cut(s, "@")
	switch {
	case !ok:
		r := []rune(s)
		if len(r) <= 4 {
			return "***"
		}
		return string(r[:2]) + "***"
	case len([]rune(name)) <= 1:
		return "***@" + domain
	}
	return string([]rune(name)[:1]) + "***@" + domain
}
