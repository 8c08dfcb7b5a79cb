"""Template variables are filled, unknown braces left alone."""

from statuspage.incidents.wording import fill


def test_known_variables_are_filled():
    text = "{component} is slow between {start} and {end}."
    values = {"component": "API", "start": "10:00", "end": "11:00"}
    assert fill(text, values) == "API is slow between 10:00 and 11:00."


def test_unknown_or_empty_variables_stay_as_written():
    assert (
        fill("{component} {unknown} {end}", {"component": "", "end": "x"})
        == "{component} {unknown} x"
    )


def test_braces_in_values_are_not_expanded_again():
    assert fill("{component}", {"component": "{end}", "end": "no"}) == "{end}"
