package evaluation

import (
	"encoding/base64"
	"encoding/binary"

	"haochaping/internal/problem"
)

// An evaluation link is printed on the receipt as a QR code ("扫码评价"). Its token names the
// case and stage and carries a MAC under a key derived from the data key, so nothing needs to
// be stored to check it; it is single use because a case and stage take one evaluation, and
// it expires with the rating period of the case.

const linkTokenLen = 8 + 1 + 16

// LinkToken returns the token of the evaluation link of a case at a stage.
func (s *Service) LinkToken(caseID int64, stage Stage) string {
	b := make([]byte, 9, linkTokenLen)
	binary.BigEndian.PutUint64(b, uint64(caseID))
	b[8] = stageByte(stage)
	b = append(b, s.keys.LinkMAC(b)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// EvaluationURL is the link printed on the receipt.
func (s *Service) EvaluationURL(token string) string { return s.settings.PublicURL + "/e/" + token }

// QRCodeURL is where the receipt printer fetches the link as a PNG.
func (s *Service) QRCodeURL(token string) string { return s.EvaluationURL(token) + "/qr.png" }

// ParseLinkToken checks a token and returns the case and stage it names.
func (s *Service) ParseLinkToken(token string) (int64, Stage, error) {
	invalid := problem.Invalid("invalid_token", "token", "评价二维码无效，请使用办件回执上的二维码")
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != linkTokenLen {
		return 0, "", invalid
	}
	if !s.keys.VerifyLinkMAC(b[:9], b[9:]) { // a link printed before a key rotation verifies too
		return 0, "", invalid
	}
	stage := byteStage(b[8])
	id := int64(binary.BigEndian.Uint64(b))
	if stage == "" || id <= 0 {
		return 0, "", invalid
	}
	return id, stage, nil
}

func stageByte(s Stage) byte {
	if s == Accept {
		return 1
	}
	return 2
}

func byteStage(b byte) Stage {
	switch b {
	case 1:
		return Accept
	case 2:
		return Complete
	}
	return ""
}
