package keys

import "fmt"

// SealDataKey seals k under a 32-byte key the caller derived from a secret
// the server does not keep (for example an intake receipt, through HKDF),
// binding ad. It is how a holder of such a secret — and nobody else, the
// server included — can open an object's key without a principal.
func SealDataKey(key32 []byte, k *DataKey, ad []byte) ([]byte, error) {
	var out []byte
	err := k.use(func(st *dataKeyState) error {
		pt := make([]byte, 0, 1+DataKeySize)
		pt = append(append(pt, kindDataKey), st.key.b...)
		defer clear(pt)
		var err error
		out, err = SealSecret(key32, pt, ad)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("keys: seal data key: %w", err)
	}
	return out, nil
}

// OpenDataKey opens the output of SealDataKey with the same key and ad; a
// wrong key gives ErrDecrypt.
func OpenDataKey(key32, sealed, ad []byte) (*DataKey, error) {
	pt, err := OpenSecret(key32, sealed, ad)
	if err != nil {
		return nil, err
	}
	defer clear(pt)
	if len(pt) != 1+DataKeySize || pt[0] != kindDataKey {
		return nil, fmt.Errorf("keys: open data key: %w: not a sealed data key", ErrMalformed)
	}
	return newDataKey(pt[1:])
}
