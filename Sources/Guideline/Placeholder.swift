import Case
