package access

import (
	"errors"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"haochaping/internal/problem"
)

// MinPasswordLength is the shortest password accepted, in characters.
const MinPasswordLength = 8

// checkPasswordRules refuses passwords bcrypt cannot take or that are too short.
func checkPasswordRules(password string) error {
	if utf8.RuneCountInString(password) < MinPasswordLength {
		return problem.Invalid("weak_password", "password", "密码至少 8 个字符")
	}
	if len(password) > 72 { // bcrypt reads no further
		return problem.Invalid("password_too_long", "password", "密码不能超过 72 字节")
	}
	return nil
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
