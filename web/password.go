package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/kaoqin/kaoqin"
)

// Passwords are hashed with argon2id and stored as PHC strings that carry the parameters and
// the salt ($argon2id$v=19$m=19456,t=2,p=1$salt$hash), so that the parameters can be raised
// later without breaking the hashes already stored.

// PasswordParams are argon2id's costs.
type PasswordParams struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
}

// DefaultPasswordParams are OWASP's recommended minimum for argon2id (19 MiB, 2 passes, 1
// thread): about 30 ms a hash on one core, so that a stolen database is slow to attack
// without making a login slow.
var DefaultPasswordParams = PasswordParams{Memory: 19 * 1024, Time: 2, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32
	// MinPasswordLen is the shortest password accepted, in characters.
	MinPasswordLen = 10
	// maxPasswordLen bounds the work a login can ask of argon2 (in bytes).
	maxPasswordLen = 1024
)

// HashPassword returns the argon2id PHC string of password with DefaultPasswordParams.
func HashPassword(password string) (string, error) {
	return HashPasswordWith(password, DefaultPasswordParams)
}

// HashPasswordWith returns the argon2id PHC string of password with p (tests use cheaper
// parameters).
func HashPasswordWith(password string, p PasswordParams) (string, error) {
	if err := CheckPasswordRules(password); err != nil {
		return "", err
	}
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPasswordRules says what is wrong with a new password, if anything.
func CheckPasswordRules(password string) error {
	if utf8.RuneCountInString(password) < MinPasswordLen {
		return errorf(kaoqin.EINVALID, "err_password_short", MinPasswordLen)
	}
	if len(password) > maxPasswordLen {
		return errorf(kaoqin.EINVALID, "err_password_long", maxPasswordLen)
	}
	return nil
}

// VerifyPassword reports whether password matches the PHC string hash, comparing in
// constant time. A hash it cannot read is an error, not a mismatch.
func VerifyPassword(hash, password string) (bool, error) {
	p, salt, key, err := parsePHC(hash)
	if err != nil {
		return false, err
	}
	if len(password) > maxPasswordLen {
		return false, nil
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

func parsePHC(hash string) (p PasswordParams, salt, key []byte, err error) {
	// "", "argon2id", "v=19", "m=...,t=...,p=...", salt, key
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, fmt.Errorf("password hash is not an argon2id PHC string")
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, fmt.Errorf("password hash has argon2 version %q, want %d", parts[2], argon2.Version)
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, fmt.Errorf("password hash has bad parameters %q", parts[3])
	}
	if p.Memory == 0 || p.Time == 0 || p.Threads == 0 || p.Memory > 4<<20 || p.Time > 100 {
		return p, nil, nil, fmt.Errorf("password hash has out-of-range parameters %q", parts[3])
	}
	b64 := base64.RawStdEncoding
	if salt, err = b64.DecodeString(parts[4]); err != nil || len(salt) < 8 {
		return p, nil, nil, fmt.Errorf("password hash has a bad salt")
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) < 16 {
		return p, nil, nil, fmt.Errorf("password hash has a bad key")
	}
	return p, salt, key, nil
}
