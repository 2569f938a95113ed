package upward

import (
	"crypto/ecdsa"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/emmansun/gmsm/sm2"

	"haochaping/upward/gm"
)

// Keys are what protect the messages of one deployment. The sender holds SignKey, SM4Key and
// PlatformKey; the platform (the simulator) holds VerifyKey, SM4Key and DecryptKey.
type Keys struct {
	AppMark     string           // the deployment's name at the platform (appMark)
	SM4Key      []byte           // 16 bytes shared with the platform, when the profile encrypts with sm4
	SignKey     *sm2.PrivateKey  // ours, when the profile signs
	VerifyKey   *ecdsa.PublicKey // ours, as the platform has it
	PlatformKey *ecdsa.PublicKey // the platform's, when the profile encrypts with sm2
	DecryptKey  *sm2.PrivateKey  // the platform's own, for the simulator
}

// shandongEnvelope is the Shandong wrapper: the params (the records) encrypted, and a signature
// over appMark ‖ time ‖ params as sent.
type shandongEnvelope struct {
	TxnBodyCom struct {
		AppMark string `json:"appMark"`
		Time    string `json:"time"` // yyyyMMddHHmmss, Beijing
		Sign    string `json:"sign"` // hex of the DER SM2 signature
		Params  string `json:"params"`
	} `json:"txnBodyCom"`
	TxnCommCom struct{} `json:"txnCommCom"`
}

// Seal wraps payload (the JSON of the params, e.g. {"evaluate":[…]}) as the profile asks: the
// body to send.
func (p *Profile) Seal(k Keys, now time.Time, payload []byte) ([]byte, error) {
	if p.Envelope == "json" && p.Crypto.Encrypt == "none" && p.Crypto.Sign == "none" {
		return payload, nil
	}
	params, err := p.encrypt(k, payload)
	if err != nil {
		return nil, err
	}
	var env shandongEnvelope
	env.TxnBodyCom.AppMark = k.AppMark
	env.TxnBodyCom.Time = now.In(beijing()).Format("20060102150405")
	env.TxnBodyCom.Params = params
	if p.Crypto.Sign == "sm2" {
		if k.SignKey == nil {
			return nil, errors.New("upward: the profile signs, and no signing key is configured")
		}
		sig, err := gm.Sign(k.SignKey, p.uid(), signed(env.TxnBodyCom.AppMark, env.TxnBodyCom.Time, params))
		if err != nil {
			return nil, err
		}
		env.TxnBodyCom.Sign = hex.EncodeToString(sig)
	}
	return json.Marshal(env)
}

// Open is the platform's side of Seal: it checks the signature, decrypts the params and
// returns them with the appMark and the time the sender wrote.
func (p *Profile) Open(k Keys, body []byte) (payload []byte, appMark string, err error) {
	if p.Envelope == "json" && p.Crypto.Encrypt == "none" && p.Crypto.Sign == "none" {
		return body, "", nil
	}
	var env shandongEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, "", fmt.Errorf("upward: not an envelope: %w", err)
	}
	b := env.TxnBodyCom
	if p.Crypto.Sign == "sm2" {
		sig, err := hex.DecodeString(b.Sign)
		if err != nil || k.VerifyKey == nil || !gm.Verify(k.VerifyKey, p.uid(), signed(b.AppMark, b.Time, b.Params), sig) {
			return nil, b.AppMark, errors.New("upward: the signature does not verify")
		}
	}
	payload, err = p.decrypt(k, b.Params)
	return payload, b.AppMark, err
}

func signed(appMark, at, params string) []byte { return []byte(appMark + at + params) }

func (p *Profile) uid() string {
	if p.Crypto.UID == "" {
		return gm.DefaultUID
	}
	return p.Crypto.UID
}

func (p *Profile) encrypt(k Keys, payload []byte) (string, error) {
	var sealed []byte
	var err error
	switch p.Crypto.Encrypt {
	case "none":
		return string(payload), nil
	case "sm4":
		sealed, err = gm.SM4Encrypt(k.SM4Key, payload)
	case "sm2":
		if k.PlatformKey == nil {
			return "", errors.New("upward: the profile encrypts to the platform's key, and none is configured")
		}
		sealed, err = gm.Encrypt(k.PlatformKey, payload)
	}
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(sealed), nil
}

func (p *Profile) decrypt(k Keys, params string) ([]byte, error) {
	if p.Crypto.Encrypt == "none" {
		return []byte(params), nil
	}
	sealed, err := base64.StdEncoding.DecodeString(params)
	if err != nil {
		return nil, errors.New("upward: params are not base64")
	}
	switch p.Crypto.Encrypt {
	case "sm4":
		return gm.SM4Decrypt(k.SM4Key, sealed)
	default:
		if k.DecryptKey == nil {
			return nil, errors.New("upward: no key to decrypt with")
		}
		return gm.Decrypt(k.DecryptKey, sealed)
	}
}
