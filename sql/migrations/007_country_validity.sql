-- Former countries (SU, DD, YU, CS...) carry the days they existed, both inclusive; a
-- mention dated inside them counts as the former country (transforms/countries_by_date.py).
-- Null for current countries. Every run rewrites the countries rows from the gazetteer, so
-- the rows already stored get their dates on the next run.
alter table countries add column valid_from date;
alter table countries add column valid_to date;
