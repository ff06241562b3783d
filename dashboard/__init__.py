"""What the K-Means Explorer pages share: data, state, figures and evaluation glue."""
