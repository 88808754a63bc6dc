"""The project's own errors. The command line turns each into one message and exit code 2."""


class UserError(Exception):
    """Something the user can fix: bad input, missing data, missing assets."""


class DataError(UserError):
    """The IMDB dataset could not be found or read."""


class AssetError(UserError):
    """An asset file is missing, damaged, tampered with or from an old schema."""


class TextError(UserError):
    """A review text that cannot be classified (empty, nothing readable)."""
