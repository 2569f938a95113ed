package channels

import "haochaping/internal/rekey"

// SealedTables are this package's tables with sealed values, for `haochaping keys rotate`
// and `keys status`: the devices' secrets (HMAC needs the secret itself, so it is sealed, not
// hashed).
func SealedTables() []rekey.Table {
	return []rekey.Table{{
		Name: "devices", IDType: "text", Sealed: []string{"secret_enc"},
		Update: `UPDATE devices d SET secret_enc = u.secret FROM unnest($1::text[], $2::bytea[]) u(id, secret) WHERE d.id = u.id`,
	}}
}
