package dingtalksim

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"sort"
	"strings"
)

// pushCrypto is the crypto of DingTalk's HTTP push, as DingTalk's own libraries
// (dingtalk-callback-Crypto) do it, written again here so that the simulator shares nothing
// with the client: AES-256-CBC with key = base64(aes_key + "="), IV = the key's first 16 bytes;
// plaintext = 16 random bytes, the message length (4 bytes big-endian), the message and the
// owner key, PKCS#7-padded to 32 bytes; signature = hex SHA-1 of the sorted, concatenated
// token, timestamp, nonce and ciphertext.
type pushCrypto struct {
	token string
	key   []byte
	owner string
}

func newPushCrypto(token, aesKey, owner string) (*pushCrypto, error) {
	if len(aesKey) != 43 {
		return nil, errors.New("the aes_key must be 43 characters")
	}
	key, err := base64.StdEncoding.DecodeString(aesKey + "=")
	if err != nil || len(key) != 32 {
		return nil, errors.New("the aes_key is not base64 of 32 bytes")
	}
	if token == "" || owner == "" {
		return nil, errors.New("the push needs a token and an owner key")
	}
	return &pushCrypto{token: token, key: key, owner: owner}, nil
}

func (p *pushCrypto) sign(timestamp, nonce, encrypt string) string {
	parts := []string{p.token, timestamp, nonce, encrypt}
	sort.Strings(parts)
	h := sha1.New()
	h.Write([]byte(strings.Join(parts, "")))
	return hex.EncodeToString(h.Sum(nil))
}

func (p *pushCrypto) encrypt(random string, msg []byte) string {
	var buf bytes.Buffer
	buf.WriteString(random)
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(msg)))
	buf.Write(n[:])
	buf.Write(msg)
	buf.WriteString(p.owner)
	pad := 32 - buf.Len()%32
	buf.Write(bytes.Repeat([]byte{byte(pad)}, pad))
	block, _ := aes.NewCipher(p.key)
	out := make([]byte, buf.Len())
	cipher.NewCBCEncrypter(block, p.key[:16]).CryptBlocks(out, buf.Bytes())
	return base64.StdEncoding.EncodeToString(out)
}

// decrypt reads a receiver's encrypted answer; any owner key is accepted (DingTalk's own
// check of the answer is the signature and the "success" inside).
func (p *pushCrypto) decrypt(encrypt string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(encrypt)
	if err != nil || len(raw) < 32 || len(raw)%16 != 0 {
		return nil, errors.New("not base64 of AES blocks")
	}
	block, _ := aes.NewCipher(p.key)
	plain := make([]byte, len(raw))
	cipher.NewCBCDecrypter(block, p.key[:16]).CryptBlocks(plain, raw)
	pad := int(plain[len(plain)-1])
	if pad == 0 || pad > 32 || pad > len(plain)-20 {
		return nil, errors.New("bad padding")
	}
	plain = plain[:len(plain)-pad]
	n := int(binary.BigEndian.Uint32(plain[16:20]))
	if n < 0 || 20+n > len(plain) {
		return nil, errors.New("bad length")
	}
	return plain[20 : 20+n], nil
}
