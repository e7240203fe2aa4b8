package web_test

import (
	"strings"
	"testing"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/web"
)

func TestPassword(t *testing.T) {
	t.Parallel()
	t.Run("OK", func(t *testing.T) {
		h, err := web.HashPasswordWith("a long enough secret", cheap)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
			t.Errorf("hash %q is not a PHC argon2id string with its parameters", h)
		}
		if ok, err := web.VerifyPassword(h, "a long enough secret"); !ok || err != nil {
			t.Errorf("the right password: %v %v", ok, err)
		}
		if ok, err := web.VerifyPassword(h, "a long enough secreT"); ok || err != nil {
			t.Errorf("a wrong password: %v %v", ok, err)
		}
		h2, _ := web.HashPasswordWith("a long enough secret", cheap)
		if h2 == h {
			t.Error("two hashes of one password are equal: no salt")
		}
	})
	t.Run("Default", func(t *testing.T) {
		h, err := web.HashPassword("a long enough secret")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
			t.Errorf("default hash %q", h)
		}
	})
	t.Run("ErrTooShort", func(t *testing.T) {
		if _, err := web.HashPassword("short"); kaoqin.ErrorCode(err) != kaoqin.EINVALID {
			t.Errorf("short password: %v", err)
		}
	})
	t.Run("ErrBadHash", func(t *testing.T) {
		for _, h := range []string{"", "plain", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5",
			"$argon2id$v=18$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5", "$argon2id$v=19$m=0,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5",
			"$argon2id$v=19$m=64,t=1,p=1$!!$a2V5a2V5a2V5a2V5a2V5a2V5"} {
			if ok, err := web.VerifyPassword(h, "anything at all"); ok || err == nil {
				t.Errorf("hash %q: %v %v, want an error", h, ok, err)
			}
		}
	})
}
