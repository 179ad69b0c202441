"""Text as every other package reads it: normalised for matching (``matching``), cut into search terms
(``terms``), sentences (``sentences``), names (``names``) and numbers (``numbers``); the word lists these rest on are
data, in ``wordlists``, and the character patterns in ``patterns``. Imports nothing of the assistant but itself."""
