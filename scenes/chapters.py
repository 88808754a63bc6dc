"""The chapters in story order: (file stem, scene class, title). render.sh and the tests read this."""
CHAPTERS = [
    ("ch01_motivation", "Ch01Motivation", "Why attention"),
    ("ch02_dataset", "Ch02Dataset", "The IMDB dataset"),
    ("ch03_tokens", "Ch03Tokens", "Tokens and the vocabulary"),
    ("ch04_padding", "Ch04Padding", "Ids and padding"),
    ("ch05_embedding", "Ch05Embedding", "Token embedding"),
    ("ch06_self_attention", "Ch06SelfAttention", "Self-attention"),
    ("ch07_permutation", "Ch07Permutation", "The permutation problem"),
    ("ch08_positions", "Ch08Positions", "Positional embedding"),
    ("ch09_qkv", "Ch09QueryKeyValue", "Queries, keys and values"),
    ("ch10_multihead", "Ch10MultiHead", "Multi-head attention"),
    ("ch11_block", "Ch11Block", "The transformer block"),
    ("ch12_classification", "Ch12Classification", "Classification"),
    ("ch13_training", "Ch13Training", "Training"),
    ("ch14_recap", "Ch14Recap", "Recap"),
]


def available() -> list[tuple[str, str, str]]:
    """The chapters whose scene file exists."""
    from pathlib import Path

    here = Path(__file__).resolve().parent
    return [c for c in CHAPTERS if (here / f"{c[0]}.py").is_file()]


if __name__ == "__main__":
    import sys

    for stem, cls, title in available():
        print(f"{cls}\t{stem}\t{title}")
    sys.exit(0)
