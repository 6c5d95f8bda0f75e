package shelter

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// TestRedacted: values carrying addresses, contacts, names or need notes
// print and log as [redacted].
func TestRedacted(t *testing.T) {
	const secret = "Secret-Qz-Address"
	d := Details{Address: secret, Contact: secret, Phone: secret, Notes: secret}
	values := []any{d, House{Code: "MS-1", Details: d}, NewHouse{Details: d}, &House{Details: d}, Resident{NameLatin: secret},
		Disclosure{Address: secret}, Need{Note: secret}, Stay{Residents: []Resident{{NameMy: secret}}, Disclosed: &Disclosure{Phone: secret}}}
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	for _, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			if s := fmt.Sprintf(verb, v); strings.Contains(s, secret) {
				t.Errorf("%T printed with %s shows the secret: %s", v, verb, s)
			}
		}
		log.Info("x", "v", v)
	}
	if strings.Contains(logs.String(), secret) {
		t.Errorf("a log line shows the secret: %s", logs.String())
	}
}
