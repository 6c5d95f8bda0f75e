package keys

import "fmt"

// SealDataKey seals k under a 32-byte key the caller derived from a secret
// the server does not keep (for example an intake receipt, through HKDF),
// binding ad. It is how a holder of such a secret — and nobody else, the
// server included — can open an object's key without a principal.
func SealDataKey(key32 []byte, k *DataKey, ad []byte) ([]byte, error) {
	return sealKeyWith(k, func(pt []byte) ([]byte, error) { return SealSecret(key32, pt, ad) })
}

// sealKeyWith seals k's bytes (with their kind) with seal, wiping the
// plaintext copy after.
func sealKeyWith(k *DataKey, seal func(pt []byte) ([]byte, error)) ([]byte, error) {
	var out []byte
	err := k.use(func(st *dataKeyState) error {
		pt := make([]byte, 0, 1+DataKeySize)
		pt = append(append(pt, kindDataKey), st.key.b...)
		defer clear(pt)
		var err error
		out, err = seal(pt)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("keys: seal data key: %w", err)
	}
	return out, nil
}

// keyFrom is the data key inside the plaintext of a sealed key.
func keyFrom(pt []byte) (*DataKey, error) {
	defer clear(pt)
	if len(pt) != 1+DataKeySize || pt[0] != kindDataKey {
		return nil, fmt.Errorf("keys: open data key: %w: not a sealed data key", ErrMalformed)
	}
	return newDataKey(pt[1:])
}

// OpenDataKey opens the output of SealDataKey with the same key and ad; a
// wrong key gives ErrDecrypt.
func OpenDataKey(key32, sealed, ad []byte) (*DataKey, error) {
	pt, err := OpenSecret(key32, sealed, ad)
	if err != nil {
		return nil, err
	}
	return keyFrom(pt)
}

// SealDataKeyUnder seals data key k under another data key, outer, bound
// to place p: a group of objects whose keys are sealed under one outer key
// needs only the outer key wrapped to their principals, so the costly
// public-key wraps are made once for the group rather than once per
// object. Opening needs outer (OpenDataKeyUnder).
func SealDataKeyUnder(outer *DataKey, p Place, k *DataKey) ([]byte, error) {
	return sealKeyWith(k, func(pt []byte) ([]byte, error) { return SealField(outer, p, pt) })
}

// OpenDataKeyUnder opens the output of SealDataKeyUnder with the same
// outer key and place; a wrong key or place gives ErrDecrypt.
func OpenDataKeyUnder(outer *DataKey, p Place, sealed []byte) (*DataKey, error) {
	pt, err := OpenField(outer, p, sealed)
	if err != nil {
		return nil, err
	}
	return keyFrom(pt)
}
