from hello import greet


def test_greet_names_the_interpreter() -> None:
    assert greet().startswith("Hello from ")
