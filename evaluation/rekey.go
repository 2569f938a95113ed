package evaluation

import (
	"fmt"

	"haochaping/internal/pii"
	"haochaping/internal/rekey"
)

// SealedTables are this package's tables with sealed values, for `haochaping keys rotate`
// and `keys status`: the applicants of cases and the evaluators and comments of evaluations.
// A row is resealed under the current key with its keyed hashes (the phone and ID indexes)
// computed again under it, in one UPDATE, so that a row's values and its hashes always belong
// to the same key.
func SealedTables() []rekey.Table {
	return []rekey.Table{
		{
			Name:   "cases",
			Sealed: []string{"applicant_name_enc", "applicant_phone_enc", "applicant_id_enc"},
			Rewrite: func(keys *pii.Keys, sealed [][]byte) ([][]byte, error) {
				out, plain, err := reseal(keys, sealed)
				if err != nil {
					return nil, err
				}
				return append(out, keys.PhoneIndex(plain[1]), keys.Index("id", plain[2])), nil
			},
			Update: `UPDATE cases c SET applicant_name_enc = u.name, applicant_phone_enc = u.phone, applicant_id_enc = u.idno,
				applicant_phone_index = u.phone_index, applicant_id_index = u.id_index
				FROM unnest($1::bigint[], $2::bytea[], $3::bytea[], $4::bytea[], $5::bytea[], $6::bytea[])
				     u(id, name, phone, idno, phone_index, id_index)
				WHERE c.id = u.id`,
		},
		{
			Name:   "evaluations",
			Sealed: []string{"evaluator_name_enc", "evaluator_phone_enc", "comment_enc"},
			Rewrite: func(keys *pii.Keys, sealed [][]byte) ([][]byte, error) {
				out, plain, err := reseal(keys, sealed)
				if err != nil {
					return nil, err
				}
				return append(out, keys.PhoneIndex(plain[1])), nil
			},
			Update: `UPDATE evaluations e SET evaluator_name_enc = u.name, evaluator_phone_enc = u.phone, comment_enc = u.comment,
				evaluator_phone_index = u.phone_index
				FROM unnest($1::bigint[], $2::bytea[], $3::bytea[], $4::bytea[], $5::bytea[]) u(id, name, phone, comment, phone_index)
				WHERE e.id = u.id`,
		},
	}
}

// reseal opens each sealed value and seals it again under the current key; plain are the
// values opened ("" for NULL), for the hashes.
func reseal(keys *pii.Keys, sealed [][]byte) (out [][]byte, plain []string, err error) {
	for i, b := range sealed {
		s, err := keys.Open(b)
		if err != nil {
			return nil, nil, fmt.Errorf("sealed value %d: %w", i+1, err)
		}
		out, plain = append(out, keys.Seal(s)), append(plain, s)
	}
	return out, plain, nil
}
