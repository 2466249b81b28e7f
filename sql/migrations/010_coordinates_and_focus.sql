-- Where things are and what a story is about (GDELT's coordinates, CLIFF's focus).
-- A country or place entity carries the point a map puts it at (gazetteer/points.py): every
-- run rewrites the gazetteer's entities, so the rows already stored get their points on the
-- next run. People and organisations have none.
alter table entities add column latitude double;
alter table entities add column longitude double;

-- An article carries the point of its opening dateline's city, and its focus: the country the
-- story is about (transforms/focus.py) and the place (entity_id) that dominates it, if one
-- does. They are computed when an article is transformed: articles loaded before this
-- migration keep nulls until their file is loaded again.
alter table articles add column dateline_latitude double;
alter table articles add column dateline_longitude double;
alter table articles add column focus_country_code varchar;
alter table articles add column focus_place varchar;
