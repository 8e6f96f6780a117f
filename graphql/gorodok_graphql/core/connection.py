import graphene


class CountableConnection(graphene.relay.Connection):
    """A relay connection that also says how many items match, whatever the page."""

    class Meta:
        abstract = True

    total_count = graphene.Int(required=True, description="How many items match the filters.")

    def resolve_total_count(root, info, **kwargs):
        # graphene-django has already counted the queryset to paginate it: reuse that figure.
        length = getattr(root, "length", None)
        if length is not None:
            return length
        iterable = root.iterable
        return iterable.count() if hasattr(iterable, "count") and not isinstance(iterable, list) else len(iterable)
