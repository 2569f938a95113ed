package session

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"haochaping/access"
	"haochaping/internal/jsonbody"
	"haochaping/internal/problem"
)

// LoginRequest is the body of POST /auth/login.
type LoginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// LoginResponse is the answer to a successful login.
type LoginResponse struct {
	Token     string       `json:"token"`
	ExpiresAt time.Time    `json:"expires_at"`
	User      *access.User `json:"user"`
}

// SecondFactorResponse answers a correct password of a login with a second factor: no session
// yet, but the challenge to send with the code to POST /auth/totp before ExpiresAt.
type SecondFactorResponse struct {
	SecondFactor string    `json:"second_factor"` // "totp"
	Challenge    string    `json:"challenge"`
	ExpiresAt    time.Time `json:"expires_at"`
}

// Register mounts POST /auth/login, POST /auth/totp, POST /auth/logout, POST /auth/password and
// GET /auth/me on r (the /api/v1 group).
func Register(r fiber.Router, users *access.Users) {
	r.Post("/auth/login", func(c *fiber.Ctx) error {
		var req LoginRequest
		if err := jsonbody.Decode(c.Body(), &req); err != nil {
			return err
		}
		if strings.TrimSpace(req.Username) == "" {
			return problem.Invalid("username_required", "username", "请输入用户名")
		}
		if req.Password == "" {
			return problem.Invalid("password_required", "password", "请输入密码")
		}
		res, err := users.StartLogin(c.UserContext(), strings.Clone(c.IP()), req.Username, req.Password)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		switch res.SecondFactor {
		case access.SecondFactorCode:
			MarkAudit(c, "login_pending", res.User.Username)
			return c.JSON(SecondFactorResponse{SecondFactor: string(res.SecondFactor), Challenge: res.Challenge, ExpiresAt: res.ChallengeExpires})
		case access.SecondFactorEnroll:
			MarkAudit(c, "login_pending", res.User.Username)
			return problem.Forbidden("totp_enrollment_required",
				"该账号须先设置双因素认证：请在网页上登录（/login），按提示用验证器完成设置后再使用接口")
		}
		SetCookie(c, res.Token, res.Expires)
		return c.JSON(LoginResponse{Token: res.Token, ExpiresAt: res.Expires, User: res.User})
	})
	r.Post("/auth/totp", secondStep(users))
	r.Post("/auth/logout", Require(users), func(c *fiber.Ctx) error {
		if err := users.Logout(c.UserContext(), tokenFrom(c)); err != nil {
			return err
		}
		ClearCookie(c)
		return c.SendStatus(fiber.StatusNoContent)
	})
	r.Post("/auth/password", Require(users), changePassword(users))
	r.Get("/auth/me", Require(users), func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.JSON(UserOf(c))
	})
}
