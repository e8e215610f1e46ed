"""Small value types shared by every layer: errors, output, names, versions, environment reading."""
