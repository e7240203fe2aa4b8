package dingtalk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// DingTalk's answers are not always typed the same way: an id may come as 123 or "123", an
// errcode as "0", a coordinate documented as a string as 116.48. The types below accept
// either form and nothing else, so a truly malformed answer is still an error.

// FlexInt is an integer DingTalk may send as a JSON number or as a string of digits. null
// and "" decode as 0. Convert with int64(v).
type FlexInt int64

// UnmarshalJSON implements json.Unmarshaler.
func (n *FlexInt) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if s == "" {
			*n = 0
			return nil
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		// A float with no fraction, such as 1.0 or 1e3, is still an integer.
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != float64(int64(f)) {
			return fmt.Errorf("want an integer, got %s", truncate(string(b), 40))
		}
		v = int64(f)
	}
	*n = FlexInt(v)
	return nil
}

// FlexString is a string DingTalk may send as a JSON string, number or boolean (the text of
// the number is kept exactly, so no precision is lost). null decodes as "".
type FlexString string

// UnmarshalJSON implements json.Unmarshaler.
func (s *FlexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return fmt.Errorf("want a string, got nothing")
	}
	switch b[0] {
	case '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = FlexString(v)
	case 'n':
		if string(b) != "null" {
			return fmt.Errorf("want a string, got %s", truncate(string(b), 40))
		}
		*s = ""
	case 't', 'f':
		var v bool
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = FlexString(strconv.FormatBool(v))
	default:
		if !json.Valid(b) || b[0] == '{' || b[0] == '[' {
			return fmt.Errorf("want a string, got %s", truncate(string(b), 40))
		}
		*s = FlexString(b) // a number
	}
	return nil
}

// FlexStrings is a list DingTalk sends either as a JSON array (of strings or numbers) or as
// one string, such as getsimplegroups' "manager_list":"1,2". A single string is kept whole,
// as sent: only the caller knows whether its commas separate items.
type FlexStrings []string

// UnmarshalJSON implements json.Unmarshaler.
func (l *FlexStrings) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var items []FlexString
		if err := json.Unmarshal(b, &items); err != nil {
			return err
		}
		out := make([]string, len(items))
		for i, it := range items {
			out[i] = string(it)
		}
		*l = out
		return nil
	}
	var one FlexString
	if err := one.UnmarshalJSON(b); err != nil {
		return err
	}
	if one == "" {
		*l = nil
		return nil
	}
	*l = FlexStrings{string(one)}
	return nil
}

// DateTimeLayout is how DingTalk writes a date and time ("yyyy-MM-dd HH:mm:ss").
const DateTimeLayout = "2006-01-02 15:04:05"

// DateTime is a field DingTalk documents as a "Date": some endpoints send epoch milliseconds,
// others a "yyyy-MM-dd HH:mm:ss" string in the org's time zone. The client's methods resolve
// strings with the client's location before returning, so Millis is always set when DingTalk
// sent a value; Text keeps the string as sent ("" when DingTalk sent a number).
type DateTime struct {
	Millis int64  // Unix milliseconds; 0 when DingTalk sent nothing
	Text   string // the string DingTalk sent, if it sent one
}

// Time returns the instant as a time.Time in loc; the zero time when DingTalk sent nothing.
func (t DateTime) Time(loc *time.Location) time.Time {
	if t.Millis == 0 && t.Text == "" {
		return time.Time{}
	}
	return time.UnixMilli(t.Millis).In(loc)
}

// UnmarshalJSON implements json.Unmarshaler. Strings other than digits are resolved later,
// by resolve, because the time zone is the client's.
func (t *DateTime) UnmarshalJSON(b []byte) error {
	var s FlexString
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	*t = DateTime{}
	if s == "" {
		return nil
	}
	if ms, err := strconv.ParseInt(string(s), 10, 64); err == nil {
		t.Millis = ms
		return nil
	}
	t.Text = string(s)
	return nil
}

// MarshalJSON writes the milliseconds, so a DateTime survives a round trip through JSON.
func (t DateTime) MarshalJSON() ([]byte, error) {
	if t.Millis == 0 && t.Text == "" {
		return []byte("null"), nil
	}
	return []byte(strconv.FormatInt(t.Millis, 10)), nil
}

// resolve sets Millis from Text, read in loc. It accepts a date and time, or a date alone.
func (t *DateTime) resolve(loc *time.Location) error {
	if t.Text == "" {
		return nil
	}
	for _, layout := range []string{DateTimeLayout, "2006-01-02T15:04:05", DateLayout} {
		if v, err := time.ParseInLocation(layout, t.Text, loc); err == nil {
			t.Millis = v.UnixMilli()
			return nil
		}
	}
	return fmt.Errorf("want epoch milliseconds or %q, got %q", "yyyy-MM-dd HH:mm:ss", truncate(t.Text, 40))
}

// resolveAll resolves every DateTime given and reports the first failure.
func resolveAll(loc *time.Location, ts ...*DateTime) error {
	for _, t := range ts {
		if err := t.resolve(loc); err != nil {
			return err
		}
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Do not cut a UTF-8 sequence in half.
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}
