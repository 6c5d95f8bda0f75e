-- +goose Up
-- stats: one index holding every green attribute the statistics group by,
-- in GROUP BY order, so the grouped query reads the index alone, in
-- order, without sorting the cases.
CREATE INDEX cases_green ON cases (contact_month, service, rank_band, region, state, with_arms, with_vehicle);

-- +goose Down
DROP INDEX cases_green;
