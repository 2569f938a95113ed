package access

import (
	"errors"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn/frequency"
	"golang.org/x/crypto/bcrypt"

	"haochaping/internal/problem"
)

// MinPasswordLength is the shortest password accepted, in characters.
const MinPasswordLength = 10

// checkPasswordRules refuses passwords bcrypt cannot take (over 72 bytes), shorter than
// MinPasswordLength, on the list of common passwords, or containing the username: 422
// weak_password (with the reason in the message) or password_too_long.
func checkPasswordRules(username, password string) error {
	if len(password) > 72 { // bcrypt reads no further
		return problem.Invalid("password_too_long", "password", "密码不能超过 72 字节")
	}
	if utf8.RuneCountInString(password) < MinPasswordLength {
		return problem.Invalid("weak_password", "password", "密码至少 10 个字符")
	}
	lower := strings.ToLower(password)
	if isCommonPassword(lower) {
		return problem.Invalid("weak_password", "password", "该密码过于常见，容易被猜中，请换一个")
	}
	if username = normaliseUsername(username); len(username) >= 3 && strings.Contains(lower, username) {
		return problem.Invalid("weak_password", "password", "密码不能包含用户名")
	}
	return nil
}

var (
	commonOnce      sync.Once
	commonPasswords map[string]bool
)

// isCommonPassword reports whether the (lower-case) password is among the 30,000 most common
// passwords of zxcvbn's list (github.com/trustelem/zxcvbn, MIT), compiled into the binary.
func isCommonPassword(lower string) bool {
	commonOnce.Do(func() {
		list := frequency.FrequencyLists["passwords"]
		commonPasswords = make(map[string]bool, len(list))
		for _, p := range list {
			commonPasswords[strings.ToLower(p)] = true
		}
	})
	return commonPasswords[lower]
}

func hashPassword(password string, cost int) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if err != nil {
		return "", err
	}
	return string(h), nil
}

// passwordMatches compares in constant time for a given hash.
func passwordMatches(hash, password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

var (
	dummyMu     sync.Mutex
	dummyHashes = map[int]string{}
)

// dummyHash is a hash at the given cost that no password matches, compared against when the
// username is unknown so that a login takes as long whether or not the user exists.
func dummyHash(cost int) string {
	dummyMu.Lock()
	defer dummyMu.Unlock()
	if h, ok := dummyHashes[cost]; ok {
		return h
	}
	h, err := hashPassword("\x00no user has this password\x00", cost)
	if err != nil {
		panic(errors.Join(errors.New("auth: dummy hash"), err))
	}
	dummyHashes[cost] = h
	return h
}
