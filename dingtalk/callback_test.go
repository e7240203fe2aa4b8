package dingtalk

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

// The samples DingTalk publishes with its crypto libraries (dingtalk-callback-Crypto: the Go,
// C# and Python demos): token, aes_key and owner key, then a signed push and its plaintext.
var callbackSamples = []struct {
	token, aesKey, owner          string
	signature, ts, nonce, encrypt string
	want                          string
}{
	{"tokenxxxx", "o1w0aum42yaptlz8alnhwikjd3jenzt9cb9wmzptgus", "dingxxxxxx",
		"f36f4ba5337d426c7d4bca0dbcb06b3ddc1388fc", "1605695694141", "WelUQl6bCqcBa2fM",
		"X1VSe9cTJUMZu60d3kyLYTrBq5578ZRJtteU94wG0Q4Uk6E/wQYeJRIC0/UFW5Wkya1Ihz9oXAdLlyC9TRaqsQ==", "success"},
	{"mryue", "Yue0EfdN5900c1ce5cf6A152c63DDe1808a60c5ecd7", "ding6ccabc44d2c8d38b",
		"03044561471240d4a14bb09372dfcfd4fd0e40cb", "1608001896814", "WL4PK6yA",
		"0vJiX6vliEpwG3U45CtXqi+m8PXbQRARJ8p8BbDuD1EMTDf0jKpQ79QS93qEk7XHpP6u+oTTrd15NRPvNvmBKyDCYxxOK+HZeKju4yhELOFchzNukR+t8SB/qk4ROMu3",
		`{"EventType":"check_url"}`},
}

func TestCallbackCrypto_PublishedSamples(t *testing.T) {
	for _, s := range callbackSamples {
		c, err := NewCallbackCrypto(s.token, s.aesKey, "someAppKey", s.owner)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Signature(s.ts, s.nonce, s.encrypt); got != s.signature {
			t.Errorf("signature %s, want %s", got, s.signature)
		}
		msg, err := c.Decrypt(s.signature, s.ts, s.nonce, s.encrypt)
		if err != nil || string(msg) != s.want {
			t.Errorf("decrypt: %q, %v; want %q", msg, err, s.want)
		}
		// Upper-case hex is the same signature.
		if _, err := c.Decrypt(strings.ToUpper(s.signature), s.ts, s.nonce, s.encrypt); err != nil {
			t.Errorf("upper-case signature: %v", err)
		}
	}
}

func TestCallbackCrypto_Refuses(t *testing.T) {
	s := callbackSamples[1]
	c, err := NewCallbackCrypto(s.token, s.aesKey, s.owner)
	if err != nil {
		t.Fatal(err)
	}
	other, err := NewCallbackCrypto(s.token, s.aesKey, "dingsomeoneelse")
	if err != nil {
		t.Fatal(err)
	}
	wrongKey, err := NewCallbackCrypto(s.token, "o1w0aum42yaptlz8alnhwikjd3jenzt9cb9wmzptgus", s.owner)
	if err != nil {
		t.Fatal(err)
	}
	code := func(err error) int {
		var ce *CallbackError
		if errors.As(err, &ce) {
			return ce.Code
		}
		return 0
	}
	for _, tc := range []struct {
		name string
		c    *CallbackCrypto
		sig  string
		ts   string
		enc  string
		want int
	}{
		{"changed timestamp", c, s.signature, "1608001896815", s.encrypt, CallbackBadSignature},
		{"changed text", c, s.signature, s.ts, "1" + s.encrypt[1:], CallbackBadSignature},
		{"another owner", other, s.signature, s.ts, s.encrypt, CallbackBadOwner},
		{"another aes key", wrongKey, s.signature, s.ts, s.encrypt, CallbackBadCipher},
		{"not base64", c, CallbackSignature(s.token, s.ts, s.nonce, "%%%"), s.ts, "%%%", CallbackBadCipher},
		{"not whole blocks", c, CallbackSignature(s.token, s.ts, s.nonce, "AAAA"), s.ts, "AAAA", CallbackBadCipher},
	} {
		msg, err := tc.c.Decrypt(tc.sig, tc.ts, s.nonce, tc.enc)
		if code(err) != tc.want || msg != nil {
			t.Errorf("%s: %q, %v; want code %d", tc.name, msg, err, tc.want)
		}
		if err != nil && (strings.Contains(err.Error(), s.aesKey) || strings.Contains(err.Error(), s.token)) {
			t.Errorf("%s: the error quotes a secret: %v", tc.name, err)
		}
	}

	for _, bad := range []struct{ token, key, owner string }{
		{"ab", s.aesKey, s.owner},                    // token too short
		{"tok-en", s.aesKey, s.owner},                // not alphanumeric
		{s.token, s.aesKey[:42], s.owner},            // key too short
		{s.token, s.aesKey[:42] + "_", s.owner},      // not alphanumeric
		{s.token, s.aesKey, ""},                      // no owner
		{strings.Repeat("t", 33), s.aesKey, s.owner}, // token too long
	} {
		if _, err := NewCallbackCrypto(bad.token, bad.key, bad.owner); err == nil {
			t.Errorf("NewCallbackCrypto(%q, %q, %q) accepted", bad.token, bad.key, bad.owner)
		} else if strings.Contains(err.Error(), s.aesKey[:20]) {
			t.Errorf("the error quotes the key: %v", err)
		}
	}
}

// TestCallbackCrypto_RoundTrip encrypts with 32-byte padding and decrypts what DingTalk's Go
// sample makes too (16-byte padding), for messages of every length around the blocks.
func TestCallbackCrypto_RoundTrip(t *testing.T) {
	s := callbackSamples[0]
	c, err := NewCallbackCrypto(s.token, s.aesKey, s.owner)
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; n < 100; n++ {
		msg := bytes.Repeat([]byte("考"), n/3)
		msg = append(msg, bytes.Repeat([]byte("x"), n%3)...)
		enc, err := c.Encrypt(msg)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := base64.StdEncoding.DecodeString(enc)
		if len(raw)%32 != 0 {
			t.Fatalf("len %d: ciphertext of %d bytes is not padded to 32", n, len(raw))
		}
		got, err := c.Decrypt(c.Signature("1", "n", enc), "1", "n", enc)
		if err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("len %d: %q, %v", n, got, err)
		}
		// Padded to 16, as the Go sample does.
		enc16 := encrypt16(t, c, msg, s.owner)
		if got, err := c.Decrypt(c.Signature("1", "n", enc16), "1", "n", enc16); err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("len %d, 16-byte padding: %q, %v", n, got, err)
		}
	}
	r, err := c.Reply("success", time.UnixMilli(1700000000123))
	if err != nil {
		t.Fatal(err)
	}
	if r.TimeStamp != "1700000000123" || r.MsgSignature != c.Signature(r.TimeStamp, r.Nonce, r.Encrypt) || len(r.Nonce) < 8 {
		t.Errorf("reply %+v", r)
	}
	if got, err := c.Decrypt(r.MsgSignature, r.TimeStamp, r.Nonce, r.Encrypt); err != nil || string(got) != "success" {
		t.Errorf("the reply decrypts to %q, %v", got, err)
	}
}

func encrypt16(t *testing.T, c *CallbackCrypto, msg []byte, owner string) string {
	t.Helper()
	plain := append([]byte("0123456789abcdef"), byte(len(msg)>>24), byte(len(msg)>>16), byte(len(msg)>>8), byte(len(msg)))
	plain = append(append(plain, msg...), owner...)
	pad := 16 - len(plain)%16
	plain = append(plain, bytes.Repeat([]byte{byte(pad)}, pad)...)
	block, _ := aes.NewCipher(c.key)
	out := make([]byte, len(plain))
	cipher.NewCBCEncrypter(block, c.key[:16]).CryptBlocks(out, plain)
	return base64.StdEncoding.EncodeToString(out)
}

// FuzzCallbackDecrypt feeds the decrypter any text: it must never panic, and whatever it
// accepts must be exactly what was encrypted (a message with this app's owner key).
func FuzzCallbackDecrypt(f *testing.F) {
	s := callbackSamples[1]
	c, err := NewCallbackCrypto(s.token, s.aesKey, s.owner)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(s.encrypt)
	f.Add("")
	f.Add("AAAAAAAAAAAAAAAAAAAAAA==")
	enc, _ := c.Encrypt([]byte(`{"EventType":"user_add_org","userId":["a"]}`))
	f.Add(enc)
	f.Fuzz(func(t *testing.T, encrypt string) {
		msg, err := c.Decrypt(c.Signature("1", "n", encrypt), "1", "n", encrypt)
		if err != nil {
			if msg != nil {
				t.Fatalf("a failure returned %q", msg)
			}
			var ce *CallbackError
			if !errors.As(err, &ce) {
				t.Fatalf("not a CallbackError: %v", err)
			}
			return
		}
		// Accepted: encrypting it again and decrypting gives it back.
		enc, err := c.Encrypt(msg)
		if err != nil {
			t.Fatal(err)
		}
		again, err := c.Decrypt(c.Signature("1", "n", enc), "1", "n", enc)
		if err != nil || !bytes.Equal(again, msg) {
			t.Fatalf("round trip of an accepted message: %q, %v", again, err)
		}
	})
}
