-- fails when: a mention's surface is not the article text at its offsets
-- On a text with any non-ASCII character substr counts characters from the text's start, so
-- one substr per mention would cost a long article the square of its length. Each text is
-- cut once into pieces of 256 characters instead (one regex pass; RE2 slows down sharply
-- beyond a few hundred repeats), and a mention is read from the piece it starts in and the
-- next one. A mention longer than a piece, or with offsets no text has, is read from the
-- whole text.
with load_articles as (
    select
        articles.article_id,
        articles.text,
    from articles
    where articles.load_id = $load_id
),

cut_articles as (
    select
        load_articles.article_id,
        regexp_extract_all(load_articles.text, '(?s).{1,256}') as pieces,
    from load_articles
),

pieces as (
    select
        cut_articles.article_id,
        unnest(cut_articles.pieces) as piece,
        unnest(range(len(cut_articles.pieces))) as piece_no,
    from cut_articles
),

load_mentions as (
    select
        mentions.article_id,
        mentions.start_char,
        mentions.end_char,
        mentions.surface,
        0 <= mentions.start_char
        and mentions.start_char <= mentions.end_char
        and mentions.end_char - mentions.start_char <= 256 as is_within_two_pieces,
    from mentions
    semi join load_articles
        on load_articles.article_id = mentions.article_id
    where mentions.load_id = $load_id
),

-- Most mentions: read from their piece and the next, never from the whole text (a text per
-- mention row would hold every article's text once for each of its mentions).
read_from_pieces as (
    select
        load_mentions.article_id,
        load_mentions.start_char,
        load_mentions.surface,
        substr(
            coalesce(this_piece.piece, '') || coalesce(next_piece.piece, ''),
            load_mentions.start_char % 256 + 1,
            load_mentions.end_char - load_mentions.start_char
        ) as text_at_offsets,
    from load_mentions
    left join pieces as this_piece
        on this_piece.article_id = load_mentions.article_id
        and this_piece.piece_no = load_mentions.start_char // 256
    left join pieces as next_piece
        on next_piece.article_id = load_mentions.article_id
        and next_piece.piece_no = load_mentions.start_char // 256 + 1
    where load_mentions.is_within_two_pieces
),

-- The rest (longer than a piece, or offsets no text has): from the whole text.
read_from_text as (
    select
        load_mentions.article_id,
        load_mentions.start_char,
        load_mentions.surface,
        substr(
            load_articles.text,
            load_mentions.start_char + 1,
            load_mentions.end_char - load_mentions.start_char
        ) as text_at_offsets,
    from load_mentions
    inner join load_articles
        on load_articles.article_id = load_mentions.article_id
    where not load_mentions.is_within_two_pieces
),

read_back as (
    select * from read_from_pieces
    union all
    select * from read_from_text
),

final as (
    select
        read_back.article_id,
        read_back.start_char,
        read_back.surface,
    from read_back
    where read_back.text_at_offsets is distinct from read_back.surface
)

select * from final
