package access

import "haochaping/internal/rekey"

// SealedTables are this package's tables with sealed values, for `haochaping keys rotate` and
// `keys status`: the TOTP secrets, and the secret an enrollment shows until its first code
// confirms it. (Recovery codes are hashes, independent of the data key: nothing to rotate.)
func SealedTables() []rekey.Table {
	return []rekey.Table{
		{
			Name: "user_totp", ID: "user_id", Sealed: []string{"secret_sealed"},
			Update: `UPDATE user_totp t SET secret_sealed = u.secret FROM unnest($1::bigint[], $2::bytea[]) u(id, secret) WHERE t.user_id = u.id`,
		},
		{
			Name: "login_challenges", ID: "token_hash", IDType: "bytea", Sealed: []string{"pending_secret"},
			Update: `UPDATE login_challenges c SET pending_secret = u.secret FROM unnest($1::bytea[], $2::bytea[]) u(id, secret) WHERE c.token_hash = u.id`,
		},
	}
}
