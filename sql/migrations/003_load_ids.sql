-- Every row remembers the load that wrote it. Loads are numbered in order, so a
-- filter on load_id skips every other row group: the checks in sql/checks/ read
-- only what the current load wrote, however large the warehouse grows.
create sequence if not exists load_id_seq start 1;
alter table articles add column load_id bigint;
alter table sentences add column load_id bigint;
alter table mentions add column load_id bigint;
