package web

// Reward claims: the list and the claim form (evidence sealed as it
// streams in), a claim with its custody record, approvals and payout.

import (
	"bytes"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strings"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/finance"
)

type financeClaimView struct {
	ID                                      int64
	Payee, Kind, Amount, Status, Created    string
	Files                                   int
	CanApprove, CanPay, CanReject, Approved bool
}

type financeClaimsView struct {
	Nav     staffNav
	Claims  []financeClaimView
	Kinds   []financeKindView
	Sources []financeSourceView
	Done    string
}

func claimView(lang string, c finance.Claim, me int64) financeClaimView {
	return financeClaimView{ID: c.ID, Payee: c.Payee, Kind: c.Kind, Amount: money(lang, c.Amount), Status: c.Status, Created: localText(lang, c.Created),
		Files: c.Files, CanApprove: c.Status == finance.ClaimClaimed || (c.Status == finance.ClaimApproved && c.FirstBy != me),
		Approved: c.Status == finance.ClaimApproved && c.FirstBy == me, CanPay: c.Status == finance.ClaimConfirmed,
		CanReject: c.Status == finance.ClaimClaimed || c.Status == finance.ClaimApproved}
}

func (s *Server) financeClaims(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	ctx := r.Context()
	lang := pageLang(r)
	cs, err := s.cfg.Finance.Claims(ctx)
	if err != nil {
		s.financeFail(w, r, sess, "/finance", err)
		return
	}
	kinds, err := s.cfg.Finance.RewardKinds(ctx)
	if err != nil {
		s.financeFail(w, r, sess, "/finance", err)
		return
	}
	srcs, err := s.cfg.Finance.Sources(ctx)
	if err != nil {
		s.financeFail(w, r, sess, "/finance", err)
		return
	}
	v := financeClaimsView{Nav: navFor(sess), Done: doneParam(r)}
	for _, c := range cs {
		v.Claims = append(v.Claims, claimView(lang, c, sess.PrincipalID))
	}
	for _, k := range kinds {
		if k.Active {
			v.Kinds = append(v.Kinds, financeKindView{Kind: k.Kind, Amount: money(lang, k.Amount)})
		}
	}
	for _, x := range srcs {
		v.Sources = append(v.Sources, financeSourceView{Code: x.Code, Label: x.Label, Cash: money(lang, finance.Money{Currency: x.Budget.Currency, Minor: x.Cash})})
	}
	s.render(w, r, http.StatusOK, "finance_claims", v)
}

// financeFileClaim reads a multipart claim form, streaming each evidence
// file through the sealer as it arrives (no plaintext copy is kept).
func (s *Server) financeFileClaim(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	mr, err := r.MultipartReader()
	if err != nil {
		s.financeInvalid(w, r, sess, "/finance/claims", "form")
		return
	}
	es, err := finance.NewEvidenceSealer()
	if err != nil {
		s.financeFail(w, r, sess, "/finance/claims", err)
		return
	}
	defer es.Wipe()
	nc := finance.NewClaim{Sealed: es}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			s.financeInvalid(w, r, sess, "/finance/claims", "form")
			return
		}
		if part.FileName() != "" {
			if err := es.Add(part.FileName(), part); err != nil {
				s.financeFail(w, r, sess, "/finance/claims", err)
				return
			}
			continue
		}
		val, err := readField(part)
		if err != nil {
			s.financeInvalid(w, r, sess, "/finance/claims", "form")
			return
		}
		switch part.FormName() {
		case "payee":
			nc.Payee = strings.ToUpper(strings.TrimSpace(val))
		case "kind":
			nc.Kind = val
		case "items":
			nc.Custody.Items = val
		case "received_by":
			nc.Custody.ReceivedBy = val
		case "when":
			nc.Custody.When = val
		case "held_at":
			nc.Custody.HeldAt = val
		}
	}
	if _, err := s.cfg.Finance.FileClaim(r.Context(), casework.ActorOf(sess), nc); err != nil {
		s.financeFail(w, r, sess, "/finance/claims", err)
		return
	}
	seeOther(w, r, "/finance/claims?done=claim")
}

func readField(p *multipart.Part) (string, error) {
	b, err := io.ReadAll(io.LimitReader(p, 4097))
	if err != nil || len(b) > 4096 {
		return "", errors.New("field too long")
	}
	return string(b), nil
}

type financeClaimDetailView struct {
	Nav      staffNav
	Claim    financeClaimView
	Record   finance.ClaimRecord
	Sources  []financeSourceView
	Evidence []finance.EvidenceInfo
}

// financeClaim shows a claim with its custody record and evidence list
// (opened with the finance team's key; audited).
func (s *Server) financeClaim(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := pathID(r, "id")
	if !ok {
		s.financeFail(w, r, sess, "/finance/claims", finance.ErrNotFoundf("claim"))
		return
	}
	c, err := s.cfg.Finance.GetClaim(r.Context(), id)
	if err != nil {
		s.financeFail(w, r, sess, "/finance/claims", err)
		return
	}
	rec, err := s.cfg.Finance.OpenClaim(r.Context(), casework.ActorOf(sess), sess.Keyring(), id)
	if err != nil {
		s.financeFail(w, r, sess, "/finance/claims", err)
		return
	}
	v := financeClaimDetailView{Nav: navFor(sess), Claim: claimView(pageLang(r), c, sess.PrincipalID), Record: rec}
	if srcs, err := s.cfg.Finance.Sources(r.Context()); err == nil {
		for _, x := range srcs {
			if x.Budget.Currency == c.Amount.Currency {
				v.Sources = append(v.Sources, financeSourceView{Code: x.Code, Label: x.Label})
			}
		}
	}
	s.render(w, r, http.StatusOK, "finance_claim", v)
}

func (s *Server) financeEvidence(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	id, ok := pathID(r, "id")
	if !ok {
		s.financeFail(w, r, sess, "/finance/claims", finance.ErrNotFoundf("claim"))
		return
	}
	var buf bytes.Buffer
	typ, err := s.cfg.Finance.EvidenceFile(r.Context(), casework.ActorOf(sess), sess.Keyring(), id, r.PathValue("file"), &buf)
	if err != nil {
		s.financeFail(w, r, sess, "/finance/claims", err)
		return
	}
	w.Header().Set("Content-Type", typ)
	w.Header().Set("Content-Disposition", "attachment")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(buf.Bytes())
	clear(buf.Bytes())
}

func (s *Server) claimAction(w http.ResponseWriter, r *http.Request, sess *auth.Session, do func(id int64) error, done string) {
	id, ok := pathID(r, "id")
	if !ok {
		s.financeFail(w, r, sess, "/finance/claims", finance.ErrNotFoundf("claim"))
		return
	}
	if err := do(id); err != nil {
		s.financeFail(w, r, sess, "/finance/claims", err)
		return
	}
	seeOther(w, r, "/finance/claims?done="+done)
}

func (s *Server) financeApprove(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	s.claimAction(w, r, sess, func(id int64) error {
		_, err := s.cfg.Finance.ApproveClaim(r.Context(), casework.ActorOf(sess), id)
		return err
	}, "approved")
}

func (s *Server) financeReject(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	s.claimAction(w, r, sess, func(id int64) error { return s.cfg.Finance.RejectClaim(r.Context(), casework.ActorOf(sess), id) }, "rejected")
}

func (s *Server) financePay(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	s.claimAction(w, r, sess, func(id int64) error {
		return s.cfg.Finance.PayClaim(r.Context(), casework.ActorOf(sess), id, r.PostFormValue("source"))
	}, "paid")
}
