package dingtalk

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DingTalk's HTTP push (事件订阅的 HTTP 推送): DingTalk POSTs
// <url>?signature=&timestamp=&nonce= with the body {"encrypt":"<base64>"}; the receiver
// checks the signature, decrypts, handles the event and answers with an encrypted "success"
// (within 1.5 s for the URL check). Until it does, DingTalk counts the push as failed.
//
// The crypto, as DingTalk's own libraries (dingtalk-callback-Crypto) do it:
//   - the AES key is base64(EncodingAESKey + "="): the 43-character aes_key of the developer
//     console is 32 bytes, so AES-256, in CBC mode with the key's first 16 bytes as IV;
//   - the plaintext is 16 random bytes, the message's length (4 bytes, big-endian), the
//     message (JSON) and the owner key (the AppKey for subscriptions configured in the
//     console, the CorpId for legacy register_call_back ones), PKCS#7-padded to a multiple of
//     32 bytes (the Java library's block; its Go sample pads to 16, so any pad of 1 to 32 is
//     accepted on the way in);
//   - the signature is the hex SHA-1 of token, timestamp, nonce and the base64 text, sorted
//     as strings and concatenated.

// CallbackError is a push that cannot be trusted or read, with the code DingTalk's libraries
// give it (900004 bad aes_key, 900005 signature mismatch, 900008 cannot decrypt, 900009 bad
// length, 900010 owner key mismatch).
type CallbackError struct {
	Code int
	Msg  string
}

func (e *CallbackError) Error() string {
	return fmt.Sprintf("dingtalk callback: %s (%d)", e.Msg, e.Code)
}

// Codes of CallbackError, as DingTalk's libraries number them.
const (
	CallbackBadAESKey    = 900004
	CallbackBadSignature = 900005
	CallbackBadCipher    = 900008
	CallbackBadLength    = 900009
	CallbackBadOwner     = 900010
)

// callbackBlock is the padding block: the Java library pads to 32 bytes.
const callbackBlock = 32

// CallbackCrypto signs, encrypts and decrypts the messages of DingTalk's HTTP push for one
// app. It is safe for concurrent use.
type CallbackCrypto struct {
	token  string
	key    []byte
	block  cipher.Block
	owners []string
}

// NewCallbackCrypto returns the crypto of an app's HTTP push: its token (3 to 32 letters and
// digits), its 43-character aes_key, and the owner keys a message may end with (the AppKey,
// the CorpId, or both when unsure which kind of subscription DingTalk pushes for). The first
// owner key is the one Encrypt appends. Neither the token nor the key ever appears in an
// error.
func NewCallbackCrypto(token, aesKey string, ownerKeys ...string) (*CallbackCrypto, error) {
	if n := len(token); n < 3 || n > 32 || !alnum(token) {
		return nil, errors.New("dingtalk: the callback token must be 3 to 32 letters and digits, as the developer console makes it")
	}
	key, err := CallbackKey(aesKey)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, &CallbackError{Code: CallbackBadAESKey, Msg: "the aes_key is not an AES-256 key"}
	}
	if len(ownerKeys) == 0 || slices.Contains(ownerKeys, "") {
		return nil, errors.New("dingtalk: the callback crypto needs the owner key (the AppKey, or the CorpId for register_call_back subscriptions)")
	}
	return &CallbackCrypto{token: token, key: key, block: block, owners: slices.Clone(ownerKeys)}, nil
}

// CallbackKey decodes a 43-character aes_key (EncodingAESKey) into the 32-byte AES key.
func CallbackKey(aesKey string) ([]byte, error) {
	if len(aesKey) != 43 || !alnum(aesKey) {
		return nil, &CallbackError{Code: CallbackBadAESKey, Msg: "the aes_key must be 43 letters and digits, as the developer console makes it"}
	}
	key, err := base64.StdEncoding.DecodeString(aesKey + "=")
	if err != nil || len(key) != 32 {
		return nil, &CallbackError{Code: CallbackBadAESKey, Msg: "the aes_key is not the base64 of a 32-byte key"}
	}
	return key, nil
}

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// Signature is the signature of a message: the hex SHA-1 of the token, timestamp, nonce and
// encrypted text, sorted and concatenated.
func (c *CallbackCrypto) Signature(timestamp, nonce, encrypt string) string {
	return CallbackSignature(c.token, timestamp, nonce, encrypt)
}

// CallbackSignature is DingTalk's push signature for token.
func CallbackSignature(token, timestamp, nonce, encrypt string) string {
	parts := []string{token, timestamp, nonce, encrypt}
	slices.Sort(parts)
	sum := sha1.Sum([]byte(strings.Join(parts, "")))
	return hex.EncodeToString(sum[:])
}

// Decrypt checks a pushed message's signature and returns its plaintext JSON. It does not
// judge the timestamp: the receiver knows its clock and what it accepts.
func (c *CallbackCrypto) Decrypt(signature, timestamp, nonce, encrypt string) ([]byte, error) {
	want := c.Signature(timestamp, nonce, encrypt)
	if subtle.ConstantTimeCompare([]byte(strings.ToLower(signature)), []byte(want)) != 1 {
		return nil, &CallbackError{Code: CallbackBadSignature, Msg: "the signature does not match (another token, or a changed message)"}
	}
	return c.decrypt(encrypt)
}

func (c *CallbackCrypto) decrypt(encrypt string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(encrypt)
	if err != nil || len(raw) == 0 || len(raw)%aes.BlockSize != 0 {
		return nil, &CallbackError{Code: CallbackBadCipher, Msg: "the encrypted text is not base64 of whole AES blocks"}
	}
	plain := make([]byte, len(raw))
	cipher.NewCBCDecrypter(c.block, c.key[:aes.BlockSize]).CryptBlocks(plain, raw)
	pad := int(plain[len(plain)-1])
	if pad < 1 || pad > callbackBlock || pad > len(plain) {
		return nil, &CallbackError{Code: CallbackBadCipher, Msg: "the decrypted text has no valid padding (another aes_key?)"}
	}
	for _, b := range plain[len(plain)-pad:] {
		if int(b) != pad {
			return nil, &CallbackError{Code: CallbackBadCipher, Msg: "the decrypted text has no valid padding (another aes_key?)"}
		}
	}
	plain = plain[:len(plain)-pad]
	if len(plain) < 20 {
		return nil, &CallbackError{Code: CallbackBadLength, Msg: "the decrypted text is too short"}
	}
	n := binary.BigEndian.Uint32(plain[16:20])
	if uint64(n) > uint64(len(plain)-20) {
		return nil, &CallbackError{Code: CallbackBadLength, Msg: "the decrypted text is shorter than the length it states"}
	}
	msg, owner := plain[20:20+n], string(plain[20+n:])
	if !slices.Contains(c.owners, owner) {
		return nil, &CallbackError{Code: CallbackBadOwner, Msg: "the message is for another app or org (its owner key is not this app's)"}
	}
	return bytes.Clone(msg), nil
}

// Encrypt encrypts msg for DingTalk with the first owner key and returns the base64 text.
func (c *CallbackCrypto) Encrypt(msg []byte) (string, error) {
	random := randomAlnum(16)
	plain := make([]byte, 0, 20+len(msg)+len(c.owners[0])+callbackBlock)
	plain = append(plain, random...)
	plain = binary.BigEndian.AppendUint32(plain, uint32(len(msg)))
	plain = append(plain, msg...)
	plain = append(plain, c.owners[0]...)
	pad := callbackBlock - len(plain)%callbackBlock
	plain = append(plain, bytes.Repeat([]byte{byte(pad)}, pad)...)
	out := make([]byte, len(plain))
	cipher.NewCBCEncrypter(c.block, c.key[:aes.BlockSize]).CryptBlocks(out, plain)
	return base64.StdEncoding.EncodeToString(out), nil
}

// CallbackReply is the receiver's answer to a push: the encrypted "success", signed. The
// JSON names are DingTalk's, timeStamp with a capital S (it rejects other spellings).
type CallbackReply struct {
	MsgSignature string `json:"msg_signature"`
	TimeStamp    string `json:"timeStamp"`
	Nonce        string `json:"nonce"`
	Encrypt      string `json:"encrypt"`
}

// Reply returns the signed, encrypted answer msg (DingTalk wants "success") at now: the
// timestamp in milliseconds.
func (c *CallbackCrypto) Reply(msg string, now time.Time) (CallbackReply, error) {
	enc, err := c.Encrypt([]byte(msg))
	if err != nil {
		return CallbackReply{}, err
	}
	ts, nonce := strconv.FormatInt(now.UnixMilli(), 10), randomAlnum(12)
	return CallbackReply{MsgSignature: c.Signature(ts, nonce, enc), TimeStamp: ts, Nonce: nonce, Encrypt: enc}, nil
}

// randomAlnum returns n random letters and digits, as DingTalk's libraries make the random
// prefix and the nonce.
func randomAlnum(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
