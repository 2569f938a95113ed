package session

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/access"
	"haochaping/internal/jsonbody"
	"haochaping/internal/problem"
)

// SecondStepRequest is the body of POST /auth/totp.
type SecondStepRequest struct {
	Challenge string `json:"challenge"`
	Code      string `json:"code"` // the authenticator's six digits, or a recovery code
}

// secondStep is POST /auth/totp: the second step of a login after its password (no session
// needed: the challenge stands for the password step). It answers as POST /auth/login does for
// a full login.
func secondStep(users *access.Users) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var req SecondStepRequest
		if err := jsonbody.Decode(c.Body(), &req); err != nil {
			return err
		}
		if req.Challenge == "" {
			return problem.Invalid("challenge_required", "challenge", "请附上登录时返回的 challenge")
		}
		if strings.TrimSpace(req.Code) == "" {
			return problem.Invalid("code_required", "code", "请输入验证器上的 6 位验证码")
		}
		ctx, address := c.UserContext(), strings.Clone(c.IP())
		ch, err := users.Challenge(ctx, req.Challenge, access.SecondFactorCode)
		if err != nil {
			return err
		}
		r, err := users.CompleteLogin(ctx, address, req.Challenge, req.Code)
		if err != nil {
			MarkAudit(c, "totp_refused", ch.User.Username)
			return err
		}
		MarkLoginCompleted(c, r)
		SetCookie(c, r.Token, r.Expires)
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.JSON(LoginResponse{Token: r.Token, ExpiresAt: r.Expires, User: r.User})
	}
}

// MarkLoginCompleted marks a login completed by its second factor for the audit log: login_ok,
// or recovery_code_used when a recovery code stood in for the code.
func MarkLoginCompleted(c *fiber.Ctx, r *access.LoginResult) {
	kind := "login_ok"
	if r.RecoveryUsed {
		kind = "recovery_code_used"
	}
	MarkAudit(c, kind, r.User.Username)
}
