-- grain: one row per entity (entity_id): the entity its mentions count for, and that
-- entity's display name and country.
-- People only are resolved; every other entity resolves to itself. A one-word person
-- (`person:trump`, from `President Trump` in an article naming no full name) resolves to the
-- full-name person whose short form it is when exactly one full-name person in the warehouse
-- has that short form: its last word, also without a particle (`al-Assad` -> `Assad`). Two
-- candidates (`Donald Trump`, `Melania Trump`) leave it on its own. A person's country is the
-- one most mentions of it and of the one-word people resolved to it give, anywhere in the
-- warehouse (ties: the first code); none when no mention gives one. (A person mention's
-- country is the one its own article gives: a country word before a title, or the agency's.)
-- Computed over the whole warehouse at query time, so load order and batching never change it.
create or replace view entity_resolution as

with people as (
    select
        entities.entity_id,
        entities.name,
        not contains(entities.name, ' ') as is_single,
    from entities
    where entities.entity_type = 'person'
),

last_words as (
    select
        people.entity_id,
        regexp_extract(people.name, '(\S+)$', 1) as last_word,
    from people
    where not people.is_single
),

short_forms as (
    select last_words.entity_id, last_words.last_word as short_form,
    from last_words
    union
    select
        last_words.entity_id,
        regexp_replace(
            last_words.last_word,
            '^(al|el|ad|as|ash|bin|ibn|abu|de|da|di|du|van|von|der|den|le|la|dos|das|del|della)-',
            ''
        ) as short_form,
    from last_words
),

candidates as (
    select
        singles.entity_id,
        min(short_forms.entity_id) as full_entity_id,
        count(distinct short_forms.entity_id) as candidate_count,
    from people as singles
    inner join short_forms
        on short_forms.short_form = singles.name
    where singles.is_single
    group by singles.entity_id
),

resolved as (
    select
        entities.entity_id,
        coalesce(candidates.full_entity_id, entities.entity_id) as canonical_entity_id,
    from entities
    left join candidates
        on candidates.entity_id = entities.entity_id
        and candidates.candidate_count = 1
),

person_countries as (
    select
        resolved.canonical_entity_id,
        mentions.country_code,
        count(*) as mention_count,
    from mentions
    inner join resolved
        on resolved.entity_id = mentions.entity_id
    where mentions.entity_type = 'person'
        and mentions.country_code is not null
    group by resolved.canonical_entity_id, mentions.country_code
),

best_countries as (
    select
        person_countries.canonical_entity_id,
        first(person_countries.country_code
            order by person_countries.mention_count desc, person_countries.country_code)
            as country_code,
    from person_countries
    group by person_countries.canonical_entity_id
),

final as (
    select
        resolved.entity_id,
        resolved.canonical_entity_id,
        canonical.entity_type,
        canonical.name,
        case
            when canonical.entity_type = 'person' then best_countries.country_code
            else canonical.country_code
        end as country_code,
    from resolved
    inner join entities as canonical
        on canonical.entity_id = resolved.canonical_entity_id
    left join best_countries
        on best_countries.canonical_entity_id = resolved.canonical_entity_id
)

select * from final
