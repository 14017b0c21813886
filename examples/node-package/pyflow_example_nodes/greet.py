"""A nodemaker module: `spec` names the node, `func`'s parameters are its inputs."""

spec = {
    "id": "example.greet",
    "title": "Greet",
    "description": "A greeting for someone, said a number of times.",
}


def func(name: str = "world", times: int = 1):
    return " ".join([f"Hello, {name}!"] * times)
